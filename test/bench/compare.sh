#!/bin/bash
# compare.sh - Tandem side by side with Kamailio 5.6 (when installed), in
# one run on this machine: MSRP relay frames/s and latency per cell (body
# x pairs), SIP stateless OPTIONS rates over UDP and TCP, RSS per idle MSRP
# connection.  Runs A B A B (ROUNDS rounds) so drift hits both alike and
# prints the ratio Tandem/Kamailio for each figure.
#
# Both run the seed ex118-cmap.cfg with only the listen port changed.
# Kamailio 5.6 cannot run that file as it is, so for Kamailio only:
#  - the mi_fifo lines are dropped (Kamailio 5.6 no longer ships mi_fifo);
#  - use_path_addr is written host:port (its msrp module turns the seed's
#    "msrp://..." into "msrp://msrp://...", a known defect);
#  - mpath points at its module directory and ctl at a private socket.
# Both get tcp_max_connections raised for the idle-connection test.
#
# usage: test/bench/compare.sh [-q]   (-q: quick, shorter runs)
# env:   TANDEM_BIN, MODDIR, DURATION (s per run), ROUNDS, CHILDREN,
#        BODIES, PAIRS, IDLE, SIP_RATES (the steps tried, rising),
#        SIP_CPU_RATE (the rate CPU per request is measured at)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
TANDEM_BIN=${TANDEM_BIN:-$top/core/tandem}
MODDIR=${MODDIR:-$top/modules}
DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-3}
CHILDREN=${CHILDREN:-4}
BODIES=${BODIES:-"100 4096 10000 65536 1048576"}
PAIRS=${PAIRS:-"1 16 256"}
IDLE=${IDLE:-10000}
SIP_CPU_RATE=${SIP_CPU_RATE:-10000}
[ "${1:-}" = "-q" ] && { DURATION=2; ROUNDS=1; BODIES="100 4096"; PAIRS="1 16"; IDLE=2000; }
KAMAILIO=$(command -v kamailio || true)
KAMMOD=/usr/lib/x86_64-linux-gnu/kamailio/modules
work=$(mktemp -d /tmp/tandem-bench-XXXXXX)
trap 'stop_all; rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)"

cc -O2 -o "$work/msrpload" "$here/msrpload.c" -lcrypto || exit 1

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

PIDS=()
stop_all() {
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	sleep 1
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
	PIDS=()
}

mkcfg() {  # name port children -> path
	local name=$1 port=$2 ch=$3 out=$work/$1.cfg
	sed -e "s/^children=.*/children=$ch\ntcp_max_connections=$((IDLE + 2000))/" \
	    -e "s|/tmp/kamailio_fifo|$work/$name.fifo|" \
	    -e "s|debug=2|debug=1|" "$top/test/fixtures/configs/ex118-cmap.cfg" > "$out"
	if [ "$name" = kamailio ]; then
		sed -i -e '/mi_fifo/d' \
		    -e "s|mpath=.*|mpath=\"$KAMMOD/\"|" \
		    -e "s|\"use_path_addr\", \"msrp://127.0.0.1:5060\"|\"use_path_addr\", \"127.0.0.1:$port\"|" \
		    -e "s|^listen=.*|listen=127.0.0.1:$port|" \
		    -e "s|^loadmodule \"ctl.so\"|loadmodule \"ctl.so\"\nmodparam(\"ctl\", \"binrpc\", \"unix:$work/kam.ctl\")|" "$out"
	else
		sed -i -e "s|^loadmodule \"ctl.so\"|loadmodule \"ctl.so\"\nmodparam(\"ctl\", \"binrpc\", \"unix:$work/tandem.ctl\")|" "$out"
	fi
	echo "$out"
}

start() {  # name port children -> pid
	local name=$1 port=$2 ch=$3 cfg
	cfg=$(mkcfg "$name" "$port" "$ch")
	if [ "$name" = kamailio ]; then
		"$KAMAILIO" -f "$cfg" -DD -E -w "$work" -m 256 >"$work/$name.log" 2>&1 &
	else
		"$TANDEM_BIN" -f "$cfg" -DD -E -L "$MODDIR" -m 256 \
		    -l "127.0.0.1:$port" >"$work/$name.log" 2>&1 &
	fi
	local pid=$!
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break
		sleep 0.2
	done
	sleep 0.5
	echo "$pid"
}

field() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" | tail -1; }

declare -A R
servers="tandem"
[ -n "$KAMAILIO" ] && servers="tandem kamailio"

echo "# machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"
echo "# children=$CHILDREN duration=${DURATION}s rounds=$ROUNDS"
echo
echo "## MSRP relay (ex118-cmap.cfg): frames/s and latency"
for s in $servers; do
	port=$(free_port)
	pid=$(start "$s" "$port" "$CHILDREN")
	PIDS+=("$pid")
	eval "PORT_$s=$port; PID_$s=$pid"
done
for round in $(seq "$ROUNDS"); do
	for b in $BODIES; do
		for p in $PAIRS; do
			w=8; [ "$b" -ge 65536 ] && w=2
			for s in $servers; do
				eval "port=\$PORT_$s; pid=\$PID_$s"
				c0=$(python3 "$here/treecpu.py" "$pid")
				out=$("$work/msrpload" -p "$port" -P "$p" -b "$b" -w "$w" -d "$DURATION" 2>&1 | tail -1)
				c1=$(python3 "$here/treecpu.py" "$pid")
				# the server's CPU over the run (it includes the AUTH
				# and connection setup, small beside DURATION seconds)
				R[$s,$b,$p,$round]="$out srv_usr_us=$(( ${c1% *} - ${c0% *} )) srv_sys_us=$(( ${c1#* } - ${c0#* } ))"
			done
		done
	done
done
printf "%-8s %-6s | %12s %9s %9s | %12s %9s %9s | %7s\n" body pairs \
    "T frames/s" "T p50us" "T p99us" "K frames/s" "K p50us" "K p99us" ratio
for b in $BODIES; do
	for p in $PAIRS; do
		for s in $servers; do
			best=0; p50=0; p99=0; err=0
			for round in $(seq "$ROUNDS"); do
				line=${R[$s,$b,$p,$round]}
				f=$(echo "$line" | field frames_per_s); f=${f:-0}
				if [ "${f%.*}" -ge "${best%.*}" ]; then
					best=$f; p50=$(echo "$line" | field p50_us); p99=$(echo "$line" | field p99_us)
				fi
				e=$(echo "$line" | field errors); err=$((err + ${e:-1}))
			done
			eval "F_$s=$best; P50_$s=${p50:-0}; P99_$s=${p99:-0}; E_$s=$err"
		done
		if [ -n "$KAMAILIO" ]; then
			ratio=$(python3 -c "print('%.2f' % ($F_tandem / $F_kamailio) if $F_kamailio > 0 else 'inf')")
			printf "%-8s %-6s | %12s %9s %9s | %12s %9s %9s | %7s%s\n" "$b" "$p" \
			    "$F_tandem" "$P50_tandem" "$P99_tandem" "$F_kamailio" "$P50_kamailio" \
			    "$P99_kamailio" "$ratio" "$([ "$E_kamailio" -gt 0 ] && echo "  (kamailio errors: $E_kamailio)")"
		else
			printf "%-8s %-6s | %12s %9s %9s | %12s %9s %9s | %7s\n" "$b" "$p" \
			    "$F_tandem" "$P50_tandem" "$P99_tandem" - - - -
		fi
	done
done

echo
echo "## MSRP relay: CPU microseconds per relayed frame (best round), user+system"
echo "# server = all of its processes; gen = msrpload (both ends of every pair)"
printf "%-8s %-6s | %18s %18s | %18s %18s | %9s\n" body pairs \
    "T srv usr+sys" "T gen usr+sys" "K srv usr+sys" "K gen usr+sys" "K/T srv"
for b in $BODIES; do
	for p in $PAIRS; do
		cols=()
		for s in $servers; do
			best=0; line=""
			for round in $(seq "$ROUNDS"); do
				l=${R[$s,$b,$p,$round]}
				f=$(echo "$l" | field frames_per_s); f=${f:-0}
				[ "${f%.*}" -ge "${best%.*}" ] && { best=$f; line=$l; }
			done
			# "srv_usr+sys gen_usr+sys srv_total" per frame, in µs
			set -- $(echo "$line" | python3 -c '
import re, sys
d = dict(re.findall(r"(\w+)=([0-9.]+)", sys.stdin.read()))
n = int(d.get("frames", 0))
g = lambda k: int(d.get(k, 0)) / n
if n:
    print("%.1f+%.1f %.1f+%.1f %.3f" % (g("srv_usr_us"), g("srv_sys_us"),
          g("gen_usr_us"), g("gen_sys_us"), g("srv_usr_us") + g("srv_sys_us")))
else:
    print("- - 0")')
			cols+=("$1" "$2")
			eval "CPU_$s=$3"
		done
		if [ -n "$KAMAILIO" ]; then
			printf "%-8s %-6s | %18s %18s | %18s %18s | %9s\n" "$b" "$p" "${cols[@]}" \
			    "$(python3 -c "print('%.2f' % ($CPU_kamailio / $CPU_tandem) if $CPU_tandem and $CPU_kamailio else '-')")"
		else
			printf "%-8s %-6s | %18s %18s | %18s %18s | %9s\n" "$b" "$p" "${cols[@]}" - - -
		fi
	done
done

echo
echo "## SIP stateless OPTIONS (sl_send_reply 403): highest rate with < 0.1% failures"
if command -v sipp >/dev/null; then
	for t in u1 t1; do
		for s in $servers; do
			eval "port=\$PORT_$s"
			best=0
			for rate in ${SIP_RATES:-2000 5000 10000 20000 30000 40000 50000 60000 80000}; do
				n=$((rate * DURATION))
				sipp -sf "$here/options_403.xml" -t "$t" \
				    -r "$rate" -m "$n" -timeout $((DURATION + 10))s -nostdin \
				    -buff_size 4194304 \
				    -trace_stat -stf "$work/stat.csv" 127.0.0.1:"$port" \
				    >/dev/null 2>&1
				rc=$?
				ok=$(tail -1 "$work/stat.csv" 2>/dev/null | awk -F';' '{print $16}')
				fail=$(tail -1 "$work/stat.csv" 2>/dev/null | awk -F';' '{print $18}')
				ok=${ok:-0}; fail=${fail:-$n}
				if [ "$rc" -le 1 ] && [ $((fail * 1000)) -lt "$n" ] && [ "$ok" -ge $((n * 999 / 1000)) ]; then
					best=$rate
				else
					break
				fi
				rm -f "$work/stat.csv"
			done
			eval "S_${s}_$t=$best"
			# the server's CPU per request at one rate both carry:
			# the highest clean rate is often sipp's own limit (its
			# socket drops the replies: /proc/net/udp), not the server's
			eval "pid=\$PID_$s"
			n=$((SIP_CPU_RATE * DURATION))
			c0=$(python3 "$here/treecpu.py" "$pid")
			sipp -sf "$here/options_403.xml" -t "$t" -r "$SIP_CPU_RATE" \
			    -m "$n" -timeout $((DURATION + 10))s -nostdin \
			    -buff_size 4194304 127.0.0.1:"$port" >/dev/null 2>&1
			c1=$(python3 "$here/treecpu.py" "$pid")
			eval "C_${s}_$t=$(python3 -c "print('%.1f' % ((${c1% *} - ${c0% *} + ${c1#* } - ${c0#* }) / $n))")"
		done
		if [ -n "$KAMAILIO" ]; then
			eval "a=\$S_tandem_$t; b=\$S_kamailio_$t; ca=\$C_tandem_$t; cb=\$C_kamailio_$t"
			printf "%-4s tandem %6s/s   kamailio %6s/s   ratio %s   CPU/request at %s/s: tandem %s us, kamailio %s us (K/T %s)\n" \
			    "$t" "$a" "$b" "$(python3 -c "print('%.2f' % ($a / $b) if $b else 'inf')")" \
			    "$SIP_CPU_RATE" "$ca" "$cb" "$(python3 -c "print('%.2f' % ($cb / $ca) if $ca else '-')")"
		else
			eval "a=\$S_tandem_$t; ca=\$C_tandem_$t"
			printf "%-4s tandem %6s/s   CPU/request at %s/s: %s us\n" "$t" "$a" "$SIP_CPU_RATE" "$ca"
		fi
	done
else
	echo "sipp not installed (apt-get install sip-tester)"
fi

echo
echo "## RSS per idle MSRP connection ($IDLE idle connections)"
for s in $servers; do
	eval "port=\$PORT_$s; pid=\$PID_$s"
	out=$(python3 "$here/idleconns.py" "$port" "$IDLE" "$pid" | tail -1)
	echo "$s: $out"
done
