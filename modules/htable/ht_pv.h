/*
 * ht_pv.h - the htable pseudo-variables:
 *   $sht(t=>key)     read / write (write $null deletes)
 *   $shtex(t=>key)   seconds to expiry, read / write
 *   $shtinc(t=>key)  $shtdec(t=>key)   atomic +1 / -1, read only
 *   $shtcn(t=>exp)   $shtcv(t=>exp)    items whose name / value match
 * key and exp are formats (may hold PVs); exp may start with an
 * operator: ~~ regexp (the default), %~ starts with, ~% ends with,
 * == equals.
 */
#ifndef TD_HT_PV_H
#define TD_HT_PV_H

#include "core/pv.h"

/* NULL-terminated table for the module descriptor. */
extern const struct pv_export ht_pv_exports[];

#endif
