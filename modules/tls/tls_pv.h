/*
 * tls_pv.h - $tls_version, $tls_cipher, $tls_peer_subject_cn,
 * $tls_peer_verified, and is_peer_verified(): what the handshake of
 * the current message's connection established.
 */
#ifndef TD_TLS_PV_H
#define TD_TLS_PV_H

#include "core/module_api.h"

extern const struct pv_export tls_pv_exports[];

/* is_peer_verified(): 1 when the peer's certificate verified, else -1. */
int tls_is_peer_verified(struct msg *m, void *const *args);

#endif
