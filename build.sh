#!/usr/bin/env bash
# altiup's build, run and test entry point.
#   ./build.sh [build]   the wasm (into web/, with the wasm_exec.js of the same Go), the server and the command altiup
#   ./build.sh run ARGS  build, then serve the page, the sandbox and the demo partner site (ARGS go to the server)
#   ./build.sh test      install what the tests need (as root on Debian), then every check and test
#   ./build.sh types     check web/altiup.d.ts with tsc on testdata/types (TypeScript from npm)
set -euo pipefail
cd "$(dirname "$0")"

GOBIN_DIR="$(go env GOPATH)/bin"
export PATH="$GOBIN_DIR:$PATH"
SERVER_BIN="server/altiup-server"
CLI_BIN="server/altiup"
VERSITYGW_VERSION=v1.8.0
WASMBROWSERTEST_VERSION=v0.11.0
TYPESCRIPT_VERSION=5.9.3

log() { printf '\n== %s\n' "$*" >&2; }

build_wasm() {
	log "wasm"
	# The page's program is built with Go's previous garbage collector: in the
	# single-threaded wasm runtime the default one (Green Tea) made uploads
	# about 8% slower and its cycles the page's longest tasks (./build.sh bench).
	# nethttpomithttp2 leaves out net/http's own HTTP/2 (about 0.8 MB of the
	# wasm): in the page every request goes through the browser's fetch or
	# XMLHttpRequest, which speak HTTP/2 themselves.
	GOEXPERIMENT=nogreenteagc GOOS=js GOARCH=wasm go build -tags nethttpomithttp2 -trimpath -ldflags='-s -w' -o web/altiup.wasm ./wasm/cmd/altiup
	cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" web/wasm_exec.js
	# brotli and gzip copies next to each asset, served when the browser takes them
	go run ./server/static/precompress web
}

build_server() {
	log "server"
	go build -trimpath -o "$SERVER_BIN" ./server
}

# build_cli builds the uploader as a native command, next to the server.
build_cli() {
	log "command"
	go build -trimpath -o "$CLI_BIN" ./wasm/cmd/altiup
}

build() {
	build_wasm
	build_server
	build_cli
	# The tag partner pages include the loader with: its integrity hash
	# changes with every build, since the loader carries the files' version.
	log "loader tag (SRI)"
	go run ./server/static/sri web
}

# run serves the demo partner site too (another origin, embedding the
# uploader both ways); ARGS come after, so -partner-addr "" turns it off.
run() {
	build
	exec "./$SERVER_BIN" -partner-addr 127.0.0.1:8088 "$@"
}

# install_deps installs what the tests need on a fresh Debian machine.
install_deps() {
	if ! command -v chromium >/dev/null; then
		if [ "$(id -u)" = 0 ]; then
			log "installing chromium"
			apt-get update -qq
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
		else
			echo "chromium is missing: install it (apt-get install chromium) or run as root" >&2
			exit 1
		fi
	fi
	if ! command -v versitygw >/dev/null; then
		log "installing versitygw $VERSITYGW_VERSION"
		go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
	fi
	if ! command -v wasmbrowsertest >/dev/null; then
		log "installing wasmbrowsertest $WASMBROWSERTEST_VERSION"
		go install "github.com/agnivade/wasmbrowsertest@$WASMBROWSERTEST_VERSION"
	fi
}

check() {
	log "gofmt"
	local unformatted
	unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
	if [ -n "$unformatted" ]; then
		echo "gofmt would change: $unformatted" >&2
		exit 1
	fi
	log "go vet"
	go vet ./...
	GOOS=js GOARCH=wasm go vet ./wasm/... ./web/...
}

test() {
	install_deps
	build
	check
	export ALTIUP_REQUIRE_VERSITYGW=1 ALTIUP_REQUIRE_CHROMIUM=1
	# The page's modules that need no browser (web/test), with Node's own runner.
	log "page unit tests (node --test)"
	node --test web/
	types
	# The GOOS=js tests run in headless Chromium through wasmbrowsertest from
	# wasm/browser's TestInBrowser, which first starts the servers they call.
	log "tests (race detector; browser tests in headless Chromium)"
	go test -race -count=1 -timeout 30m $(go list ./... | grep -v '^altiup/server$')
	# The end-to-end tests drive Chromium against the whole server; the race
	# detector would only slow them down (the server's packages ran under it above).
	log "end-to-end tests (headless Chromium)"
	go test -count=1 -timeout 30m ./server
	log "fuzz (briefly)"
	fuzz 10s
}

# types checks web/altiup.d.ts with tsc --strict on the typed example
# (testdata/types), with TypeScript from npm installed into
# ${XDG_CACHE_HOME:-~/.cache}/altiup-types.
types() {
	log "types (tsc $TYPESCRIPT_VERSION --noEmit --strict)"
	local dir="${XDG_CACHE_HOME:-$HOME/.cache}/altiup-types"
	local tsc="$dir/node_modules/.bin/tsc"
	if ! "$tsc" --version 2>/dev/null | grep -qx "Version $TYPESCRIPT_VERSION"; then
		if ! command -v npm >/dev/null; then
			echo "npm is missing: the types are checked with TypeScript from npm (apt-get install npm)" >&2
			exit 1
		fi
		npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "typescript@$TYPESCRIPT_VERSION"
	fi
	"$tsc" --noEmit --strict -p testdata/types
}

# bench builds, then measures the uploader in headless Chromium beside its
# baselines and peers, and writes the table to BENCHMARKS.md. ARGS go to the
# benchmark (e.g. -quick, -scale 0.5, -only hash,link); the peers' npm
# packages are installed into ${XDG_CACHE_HOME:-~/.cache}/altiup-bench.
bench() {
	build
	log "bench"
	go run ./server/bench -server "$SERVER_BIN" -out BENCHMARKS.md "$@"
}

# fuzz runs every fuzz target for the given time each. Go 1.26's fuzzing
# coordinator may fail a target with a bare "context deadline exceeded" as
# the time runs out, having found nothing (go.dev/issue/75804, fixed in Go
# 1.27): such a run is said and passes; any other failure, and any failing
# input written, fails.
fuzz() {
	local t=${1:-60s} file dir target out
	out=$(mktemp)
	for file in $(grep -rl --include='*_test.go' '^func Fuzz' server wasm); do
		dir=./$(dirname "$file")
		for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
			log "fuzz $dir $target ($t)"
			if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$dir" 2>&1 | tee "$out"; then
				continue
			fi
			if grep -q '^    context deadline exceeded$' "$out" && ! grep -q 'Failing input written to' "$out" && [ "$(grep -c '^--- FAIL' "$out")" = 1 ]; then
				echo "$target: the fuzz time ran out as a worker stopped (go.dev/issue/75804), with no failing input found: passed"
				continue
			fi
			rm -f "$out"
			return 1
		done
	done
	rm -f "$out"
}

cmd=${1:-build}
[ $# -gt 0 ] && shift
case "$cmd" in
build) build ;;
run) run "$@" ;;
test) test ;;
types) types ;;
fuzz) fuzz "$@" ;;
bench) bench "$@" ;;
*)
	echo "usage: ./build.sh [build|run [server flags]|test|types|fuzz [duration]|bench [args]]" >&2
	exit 2
	;;
esac
