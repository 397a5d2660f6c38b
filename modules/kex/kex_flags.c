/*
 * kex_flags.c - message, script and branch flags.
 *
 * Script and branch flags are per message, as Kamailio keeps them for a
 * stateless message: Tandem has no transactions to carry them further.
 * They live in the message's arena behind a module slot, made on the
 * first setsflag()/setbflag(), so a message that uses none pays nothing.
 */
#include "config.h"

#include "core/arena.h"
#include "core/log.h"
#include "kex_flags.h"

struct kex_msg_flags {
	unsigned sflags;
	unsigned bflags;
};

static int kex_slot = -1;

int
kex_flags_init(void)
{
	/* the data is in the arena, which the message frees itself */
	if ((kex_slot = msg_ext_register(NULL)) < 0) {
		log_errx("kex: no per-message slot left (all %d taken)",
		    MSG_EXT_MAX);
		return -1;
	}
	return 0;
}

int
kex_flag_valid(long long n)
{
	return n >= 0 && n <= KEX_FLAG_MAX;
}

/* The word holding set s of m; NULL when it does not exist yet and
 * create is 0, or when it cannot be made (logged). */
static unsigned *
kex_word(struct msg *m, enum kex_flagset s, int create)
{
	struct kex_msg_flags *f;

	if (s == KEX_FLAGS_MSG)
		return &m->flags;
	if (kex_slot < 0) {
		if (create)
			log_errx("kex: script and branch flags are not set up "
			    "(module init did not run)");
		return NULL;
	}
	f = m->ext[kex_slot];
	if (f == NULL && create) {
		if ((f = arena_alloc(&m->arena, sizeof(*f))) == NULL)
			return NULL;
		f->sflags = 0;
		f->bflags = 0;
		m->ext[kex_slot] = f;
	}
	if (f == NULL)
		return NULL;
	return s == KEX_FLAGS_SCRIPT ? &f->sflags : &f->bflags;
}

int
kex_flag_set(struct msg *m, enum kex_flagset s, int n)
{
	unsigned *w = kex_word(m, s, 1);

	if (w == NULL)
		return -1;
	*w |= 1u << n;
	return 0;
}

int
kex_flag_reset(struct msg *m, enum kex_flagset s, int n)
{
	/* nothing stored yet means nothing set */
	unsigned *w = kex_word(m, s, 0);

	if (w != NULL)
		*w &= ~(1u << n);
	return 0;
}

int
kex_flag_test(struct msg *m, enum kex_flagset s, int n)
{
	unsigned *w = kex_word(m, s, 0);

	return w != NULL && (*w & (1u << n)) != 0;
}
