/*
 * tm_precheck.c - t_precheck_trans() (tmx): is the same request being
 * routed right now by another process?
 *
 * A UDP retransmission can reach another receiver while the first copy
 * is still in the script, before t_newtran()/t_relay() made its
 * transaction, so t_check_trans() cannot see it yet.  Each request that
 * asks is noted in its transaction slot until its processing ends
 * (tm_mstate_release); a second copy finding the note of a live process
 * is told so, and the script drops it.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/shm.h"
#include "tm_cell.h"

struct tm_pre {
	struct tm_pre   *next;
	uint32_t         hash;
	pid_t            pid;
	size_t           len;
	char             key[];
};

/* The fields that tell two copies of one request apart from two
 * requests, joined (RFC 3261 17.2.3: branch and sent-by, and the rest
 * for RFC 2543 peers). */
static int
pre_key(const struct tm_key *k, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%.*s|%.*s|%.*s|%.*s|%.*s|%.*s:%d|%.*s",
	    STR_FMT(&k->method), STR_FMT(&k->callid), STR_FMT(&k->cseq_num),
	    STR_FMT(&k->branch), STR_FMT(&k->from_tag), STR_FMT(&k->via_host),
	    k->via_port, STR_FMT(&k->ruri));

	return n < 0 || (size_t)n >= cap ? -1 : n;
}

static int
pre_alive(pid_t pid)
{
	return pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM);
}

int
tm_precheck(struct msg *m, struct tm_mstate *st)
{
	struct tm_key k;
	struct tm_pre *e, **pp;
	const char *err;
	char key[2048];
	uint32_t hash, slot;
	int len;

	if (st->pre != NULL)
		return -1;              /* asked already for this message */
	if (m->kind != MSG_SIP_REQUEST || tm_key_scan(&m->buf, &k, &err) < 0 ||
	    (len = pre_key(&k, key, sizeof(key))) < 0)
		return -1;
	hash = tm_key_hash(&k);
	slot = hash % tm_tab->size;
	tm_lock(slot);
	for (pp = &tm_tab->slots[slot].pre; (e = *pp) != NULL; ) {
		if (e->hash != hash || e->len != (size_t)len ||
		    memcmp(e->key, key, (size_t)len) != 0) {
			pp = &e->next;
			continue;
		}
		if (pre_alive(e->pid)) {
			tm_unlock(slot);
			return 1;
		}
		*pp = e->next;          /* left by a process that died */
		shm_free(e);
	}
	if ((e = shm_malloc(sizeof(*e) + (size_t)len)) == NULL) {
		tm_unlock(slot);
		log_errx("tm: t_precheck_trans: out of shared memory");
		return -1;
	}
	e->hash = hash;
	e->pid = getpid();
	e->len = (size_t)len;
	memcpy(e->key, key, (size_t)len);
	e->next = tm_tab->slots[slot].pre;
	tm_tab->slots[slot].pre = e;
	tm_unlock(slot);
	st->pre = e;
	st->pre_slot = slot;
	return -1;
}

void
tm_precheck_done(struct tm_mstate *st)
{
	struct tm_pre **pp;

	if (st->pre == NULL)
		return;
	tm_lock(st->pre_slot);
	for (pp = &tm_tab->slots[st->pre_slot].pre; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == st->pre) {
			*pp = st->pre->next;
			shm_free(st->pre);
			break;
		}
	tm_unlock(st->pre_slot);
	st->pre = NULL;
}
