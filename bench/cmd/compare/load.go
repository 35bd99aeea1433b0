package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"lucid/bench"
	"lucid/https"
)

// loadMode is one way of driving the servers.
type loadMode struct {
	name  string
	close bool // a new TLS connection per request (Connection: close)
}

var loadModes = []loadMode{
	{"keep-alive", false},
	{"new TLS connection per request", true},
}

// loadRow is one mode's wrk results across rounds.
type loadRow struct {
	mode       loadMode
	lucid, std []wrkResult
	ratios     []float64 // Lucid ÷ crypto/tls requests per second
	cpuRatios  []float64 // Lucid ÷ crypto/tls server CPU per request
}

// wrkResult is what one wrk run reports, and the server's CPU time per
// request it served.
type wrkResult struct {
	rps      float64
	p99      time.Duration
	requests int
	errors   string // wrk's socket-error or non-2xx line, if any
	// serverCPU is this process's CPU time over the run divided by the
	// requests: only the loaded server works meanwhile, and wrk, a
	// process of its own, is not counted. The two servers share the two
	// cores with wrk, so requests per second also depend on how the
	// scheduler interleaves them; CPU per request does not.
	serverCPU time.Duration
}

// findWrk returns wrk's path, installing it with apt-get when it is missing
// and this process may (root on Debian, as .ci/run installs tools).
func findWrk(log io.Writer) (string, error) {
	if p, err := exec.LookPath("wrk"); err == nil {
		return p, nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil || os.Geteuid() != 0 {
		return "", errors.New("the load test needs wrk, which is not installed: install it (Debian/Ubuntu: apt-get install wrk) and rerun with -load")
	}
	progress(log, "wrk is not installed; installing it with apt-get")
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "wrk"}} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("installing wrk: apt-get %s: %w", strings.Join(args, " "), err)
		}
	}
	return exec.LookPath("wrk")
}

// runLoad serves the same handler from both stacks' HTTPS servers and loads
// each with wrk (one thread, so that the server keeps the other core),
// alternating which goes first in each round.
func runLoad(log io.Writer, o options) ([]loadRow, error) {
	wrk, err := findWrk(log)
	if err != nil {
		return nil, err
	}
	urls := map[bench.Stack]string{}
	for _, st := range bench.Stacks {
		u, stop, err := bench.StartLoadServer(st)
		if err != nil {
			return nil, fmt.Errorf("load server, %v: %w", st, err)
		}
		defer stop()
		urls[st] = u
	}
	rows := make([]loadRow, len(loadModes))
	for i, m := range loadModes {
		rows[i].mode = m
	}
	for r := range o.loadRounds {
		order := []bench.Stack{bench.Lucid, bench.Std}
		if r%2 == 1 {
			order = []bench.Stack{bench.Std, bench.Lucid}
		}
		for i, m := range loadModes {
			got := map[bench.Stack]wrkResult{}
			for _, st := range order {
				progress(log, "load round %d/%d: %s, %v", r+1, o.loadRounds, m.name, st)
				res, err := runWrk(wrk, urls[st], m, o)
				if err != nil {
					return nil, fmt.Errorf("wrk against %v (%s): %w", st, m.name, err)
				}
				got[st] = res
			}
			rows[i].lucid = append(rows[i].lucid, got[bench.Lucid])
			rows[i].std = append(rows[i].std, got[bench.Std])
			rows[i].ratios = append(rows[i].ratios, got[bench.Lucid].rps/got[bench.Std].rps)
			rows[i].cpuRatios = append(rows[i].cpuRatios, float64(got[bench.Lucid].serverCPU)/float64(got[bench.Std].serverCPU))
		}
	}
	return rows, nil
}

func runWrk(wrk, url string, m loadMode, o options) (wrkResult, error) {
	args := []string{"-t1", "-c" + strconv.Itoa(o.loadConns), "-d" + strconv.Itoa(int(o.loadTime.Round(time.Second)/time.Second)) + "s", "--latency"}
	if m.close {
		args = append(args, "-H", "Connection: close")
	}
	args = append(args, url)
	// A collection owed for the other server's run is paid before this
	// one's clock starts, not during it.
	runtime.GC()
	before := bench.ProcessCPU()
	out, err := exec.Command(wrk, args...).CombinedOutput()
	used := bench.ProcessCPU() - before
	if err != nil {
		return wrkResult{}, fmt.Errorf("%w: %s", err, out)
	}
	res, err := parseWrk(string(out))
	if err != nil {
		return wrkResult{}, err
	}
	res.serverCPU = used / time.Duration(res.requests)
	return res, nil
}

var (
	wrkRPS = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	wrkN   = regexp.MustCompile(`(?m)^\s*([0-9]+) requests in `)
	wrkP99 = regexp.MustCompile(`(?m)^\s+99(?:\.000)?%\s+([0-9.]+)(us|ms|s)\s*$`)
	wrkErr = regexp.MustCompile(`(?m)^\s*(Socket errors:.*|Non-2xx or 3xx responses:.*)$`)
)

// parseWrk reads requests per second and the 99th percentile latency from
// wrk's --latency output.
func parseWrk(out string) (wrkResult, error) {
	m := wrkRPS.FindStringSubmatch(out)
	if m == nil {
		return wrkResult{}, fmt.Errorf("no Requests/sec in wrk's output: %s", out)
	}
	rps, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return wrkResult{}, err
	}
	p := wrkP99.FindStringSubmatch(out)
	if p == nil {
		return wrkResult{}, fmt.Errorf("no 99%% latency in wrk's output: %s", out)
	}
	v, err := strconv.ParseFloat(p[1], 64)
	if err != nil {
		return wrkResult{}, err
	}
	unit := map[string]float64{"us": 1e3, "ms": 1e6, "s": 1e9}[p[2]]
	res := wrkResult{rps: rps, p99: time.Duration(v * unit)}
	n := wrkN.FindStringSubmatch(out)
	if n == nil {
		return wrkResult{}, fmt.Errorf("no request count in wrk's output: %s", out)
	}
	if res.requests, err = strconv.Atoi(n[1]); err != nil || res.requests <= 0 {
		return wrkResult{}, fmt.Errorf("wrk counted %q requests: %s", n[1], out)
	}
	var errs []string
	for _, e := range wrkErr.FindAllStringSubmatch(out, -1) {
		errs = append(errs, strings.TrimSpace(e[1]))
	}
	res.errors = strings.Join(errs, "; ")
	return res, nil
}

func printLoad(w io.Writer, o options, rows []loadRow) {
	fmt.Fprintf(w, "Under load: wrk -t1 -c%d for %v per run, %d rounds alternating which server goes first; Lucid's https.Server and net/http over crypto/tls serve the same handler over HTTP/1.1 with the same timeouts (https.Server's defaults: %v for a request's header, %v idle)\n\n",
		o.loadConns, o.loadTime, o.loadRounds, https.DefaultReadHeaderTimeout, https.DefaultIdleTimeout)
	fmt.Fprintln(w, "| load | Lucid req/s | crypto/tls req/s | ratio (range) | Lucid p99 | crypto/tls p99 | server CPU per request, Lucid vs crypto/tls | ratio (range) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	var problems []string
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.2f (%.2f–%.2f) | %v | %v | %.1f µs vs %.1f µs | %.2f (%.2f–%.2f) |\n", r.mode.name,
			median(field(r.lucid, rps)), median(field(r.std, rps)), median(r.ratios), slices.Min(r.ratios), slices.Max(r.ratios),
			time.Duration(median(field(r.lucid, p99))).Round(10*time.Microsecond), time.Duration(median(field(r.std, p99))).Round(10*time.Microsecond),
			median(field(r.lucid, serverCPU))/1e3, median(field(r.std, serverCPU))/1e3, median(r.cpuRatios), slices.Min(r.cpuRatios), slices.Max(r.cpuRatios))
		for _, x := range r.lucid {
			if x.errors != "" {
				problems = append(problems, fmt.Sprintf("Lucid, %s: %s", r.mode.name, x.errors))
			}
		}
		for _, x := range r.std {
			if x.errors != "" {
				problems = append(problems, fmt.Sprintf("crypto/tls, %s: %s", r.mode.name, x.errors))
			}
		}
	}
	for _, p := range problems {
		fmt.Fprintf(w, "wrk reported errors: %s\n", p)
	}
}

func rps(r wrkResult) float64       { return r.rps }
func p99(r wrkResult) float64       { return float64(r.p99) }
func serverCPU(r wrkResult) float64 { return float64(r.serverCPU) }
