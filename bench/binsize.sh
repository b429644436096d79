#!/usr/bin/env bash
# Measures the stripped static binary as the Dockerfile builds it, then
# breaks its size down by what links it: `go tool nm -size` of the same
# build with its symbols kept, summed by package and grouped. Code is each
# function's size plus its share of .gopclntab (the function tables, pro
# rata to code); data is read-only and initialised data (bss is not on disk).
# Usage: bash bench/binsize.sh   (from the module root)
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$dir/bot" ./cmd/bot
CGO_ENABLED=0 go build -trimpath -o "$dir/bot-syms" ./cmd/bot
# sections NAME TYPE ADDRESS OFFSET SIZE, without readelf's "[ N]" column
sections() { readelf -S -W "$1" | sed -n 's/^ *\[ *[0-9]*\] *//p'; }
echo "stripped binary: $(stat -c %s "$dir/bot") bytes"
sections "$dir/bot" | awk '$1 ~ /^\./ && $2 != "NOBITS" && $2 != "NOTE" { printf "  section %-12s %6.2f MB\n", $1, strtonum("0x" $5) / 1e6 }'
text=$(sections "$dir/bot" | awk '$1 == ".text" { print strtonum("0x" $5) }')
pcln=$(sections "$dir/bot" | awk '$1 == ".gopclntab" { print strtonum("0x" $5) }')
bss=$(sections "$dir/bot-syms" | awk '$1 == ".bss" { print strtonum("0x" $3) }')
go tool nm -size "$dir/bot-syms" >"$dir/nm"
size=$(stat -c %s "$dir/bot")
awk -v bss="$bss" -v text="$text" -v pcln="$pcln" -v size="$size" '
function group(p) {
	if (p ~ /^modernc\.org\/|^github\.com\/(dustin\/go-humanize|remyoudompheng|ncruces|mattn\/go-isatty)/) return "SQLite (modernc.org/sqlite, libc)"
	if (p ~ /^github\.com\/jackc\/|^golang\.org\/x\/text|^encoding\/xml/) return "PostgreSQL (pgx, x/text, encoding/xml for pgtype)"
	if (p ~ /^github\.com\/(digitalocean|google\/go-querystring|hashicorp)|^golang\.org\/x\/oauth2/) return "godo (with retryablehttp, oauth2)"
	if (p ~ /^github\.com\/(slack-go|gorilla\/websocket)/) return "slack-go (with gorilla/websocket)"
	if (p ~ /^github\.com\/(prometheus|beorn7|cespare|munnerz)|^google\.golang\.org\/protobuf/) return "Prometheus client (with protobuf)"
	if (p ~ /^github\.com\/(google\/go-containerregistry|docker|sirupsen|klauspost|opencontainers)/) return "go-containerregistry (with docker/cli config, logrus, zstd)"
	if (p ~ /^(sigs\.k8s\.io|go\.yaml\.in)\//) return "YAML (sigs.k8s.io/yaml, yaml/v2)"
	if (p ~ /^github\.com\/(coder\/websocket|google\/uuid|google\/shlex)|^golang\.org\/x\/(sync|time|sys)/) return "small deps (coder/websocket, uuid, shlex, x/sync, x/time, x/sys)"
	if (p ~ /^dobot\/internal\/(dosim|regtest)/) return "dobot: console simulator (internal/dosim, internal/regtest)"
	if (p ~ /^dobot\/|^main$/) return "dobot: the bot itself"
	if (p ~ /^(crypto|vendor\/golang\.org\/x\/crypto)/) return "Go: crypto (TLS, x509, FIPS module)"
	if (p ~ /^(net|vendor\/golang\.org\/x\/net)/) return "Go: net, net/http"
	if (p ~ /^(runtime|internal|sync|reflect|type:)/) return "Go: runtime, reflect, internal"
	return "Go: other standard library"
}
{
	typ = $3; name = $4
	if (typ == "U" || typ == "B" || typ == "b" || strtonum("0x" $1) >= bss) next
	if (name ~ /^go:func\./) { funcdata += $2; next } # stack maps of every function: counted with code
	n = name
	sub(/^type:\.?(eq|hash)\./, "", n); sub(/^type:/, "", n); sub(/^go:itab\./, "", n); sub(/^[*\[\]0-9]+/, "", n)
	sub(/[,\[].*/, "", n) # an itab names its type first; type arguments are not the package
	head = ""; rest = n
	if (match(n, /^[^ (]*\//)) { head = substr(n, 1, RLENGTH); rest = substr(n, RLENGTH + 1) }
	match(rest, /^[^.]*/)
	g = group(head substr(rest, 1, RLENGTH))
	if (typ == "T" || typ == "t") { code[g] += $2; codesum += $2 } else data[g] += $2
	all[g] = 1
}
END {
	per = (text + pcln + funcdata) / codesum # each byte of code carries its pclntab and funcdata
	for (g in all) {
		c = code[g] * per; shown += c + data[g]
		printf "%6.2f MB  (code %5.2f, data %5.2f)  %s\n", (c + data[g]) / 1e6, c / 1e6, data[g] / 1e6, g
	}
	printf "%6.2f MB  unattributed: strings, type names and padding without a symbol\n", (size - shown) / 1e6
}' "$dir/nm" | sort -rn
