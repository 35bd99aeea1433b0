package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"lucid/bench"
)

// row is everything measured for one figure across the rounds.
type row struct {
	fig    bench.Figure
	lucid  []sample
	std    []sample
	floor  []sample
	ratios []float64 // Lucid ÷ crypto/tls CPU, one per round
}

// idleRow is the idle-memory figure across the rounds.
type idleRow struct {
	lucid, std []bench.IdleResult
	ratios     []float64
}

// results is one whole run of the command.
type results struct {
	o         options
	rows      []*row
	transport []sample
	idle      idleRow
	load      []loadRow
}

func run(out, log io.Writer, o options) error {
	var rows []*row
	for _, f := range bench.Figures {
		if o.figures.MatchString(f.ID) {
			rows = append(rows, &row{fig: f})
		}
	}
	res := &results{o: o, rows: rows}
	for r := range o.rounds {
		// Alternate which stack goes first, so that neither always
		// runs on the machine the other left behind.
		order := []bench.Stack{bench.Lucid, bench.Std}
		if r%2 == 1 {
			order = []bench.Stack{bench.Std, bench.Lucid}
		}
		progress(log, "round %d/%d, %v first", r+1, o.rounds, order[0])
		for _, rw := range rows {
			progress(log, "  %s", rw.fig.ID)
			s, err := runFigure(rw.fig, order, o)
			if err != nil {
				return err
			}
			fl, err := measure(rw.fig.Floor(), o.benchtime, bulkOps(rw.fig, o))
			if err != nil {
				return fmt.Errorf("%s floor: %w", rw.fig.ID, err)
			}
			rw.lucid = append(rw.lucid, s[bench.Lucid])
			rw.std = append(rw.std, s[bench.Std])
			rw.floor = append(rw.floor, fl)
			rw.ratios = append(rw.ratios, s[bench.Lucid].CPU/s[bench.Std].CPU)
		}
		if len(rows) > 0 {
			t, err := measure(bench.Transport(), o.benchtime, 0)
			if err != nil {
				return fmt.Errorf("transport control: %w", err)
			}
			res.transport = append(res.transport, t)
		}
		if o.idle > 0 && r < max(o.idleRounds, 1) {
			progress(log, "  idle memory, %d connections", o.idle)
			got := map[bench.Stack]bench.IdleResult{}
			for _, st := range order {
				ir, err := bench.IdleMemory(st, bench.IdleSetup, o.idle)
				if err != nil {
					return fmt.Errorf("idle memory: %w", err)
				}
				got[st] = ir
			}
			res.idle.lucid = append(res.idle.lucid, got[bench.Lucid])
			res.idle.std = append(res.idle.std, got[bench.Std])
			res.idle.ratios = append(res.idle.ratios, got[bench.Lucid].Heap/got[bench.Std].Heap)
		}
	}
	if o.load {
		lr, err := runLoad(log, o)
		if err != nil {
			return err
		}
		res.load = lr
	}
	res.print(out)
	return nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// field collects one figure of each round's result, for the median and
// the range: samples, idle results, wrk runs.
func field[T any](rs []T, f func(T) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

func cpuOf(s sample) float64    { return s.CPU }
func allocsOf(s sample) float64 { return float64(s.Allocs) }
func bytesOf(s sample) float64  { return float64(s.Bytes) }

// micros formats nanoseconds as microseconds.
func micros(ns float64) string {
	if ns >= 100e3 {
		return fmt.Sprintf("%.0f µs", ns/1e3)
	}
	return fmt.Sprintf("%.1f µs", ns/1e3)
}

func kilobytes(b float64) string { return fmt.Sprintf("%.1f KB", b/1e3) }

func (res *results) print(w io.Writer) {
	o := res.o
	fmt.Fprintf(w, "Lucid vs crypto/tls, %s, %d cores (GOMAXPROCS %d), %s %s/%s\n",
		cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "%d rounds alternating which stack runs first; handshakes %v per run, bulk %d MiB per run; CPU time per operation, both ends in one process\n\n",
		o.rounds, o.benchtime, o.bulkMiB)
	if len(res.rows) > 0 {
		fmt.Fprintln(w, "| figure | Lucid | crypto/tls | ratio (range) | floor | Lucid ÷ floor | allocs/op Lucid vs crypto/tls | bytes/op Lucid vs crypto/tls |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
		var notes []string
		for _, rw := range res.rows {
			l, s, fl := median(field(rw.lucid, cpuOf)), median(field(rw.std, cpuOf)), median(field(rw.floor, cpuOf))
			name := rw.fig.Name
			if rw.fig.Note != "" {
				notes = append(notes, rw.fig.Note)
				name += strings.Repeat("*", len(notes))
			}
			fmt.Fprintf(w, "| %s | %s | %s | %.2f (%.2f–%.2f) | %s | %.2f | %.0f vs %.0f | %s vs %s |\n",
				name, micros(l), micros(s), median(rw.ratios), slices.Min(rw.ratios), slices.Max(rw.ratios),
				micros(fl), l/fl,
				median(field(rw.lucid, allocsOf)), median(field(rw.std, allocsOf)),
				kilobytes(median(field(rw.lucid, bytesOf))), kilobytes(median(field(rw.std, bytesOf))))
		}
		if len(res.idle.ratios) > 0 {
			fmt.Fprintf(w, "| memory per idle connection (%d held, both ends, live heap) | %s | %s | %.2f (%.2f–%.2f) | — | — | — | — |\n",
				res.o.idle, kilobytes(median(field(res.idle.lucid, idleHeap))), kilobytes(median(field(res.idle.std, idleHeap))),
				median(res.idle.ratios), slices.Min(res.idle.ratios), slices.Max(res.idle.ratios))
		}
		fmt.Fprintln(w)
		for i, n := range notes {
			fmt.Fprintf(w, "%s %s.\n", strings.Repeat("*", i+1), n)
		}
		fmt.Fprintf(w, "Control: a loopback TCP connection with one byte and no TLS costs %s of CPU; every handshake figure includes it, its floor does not.\n",
			micros(median(field(res.transport, cpuOf))))
		if len(res.idle.ratios) > 0 {
			fmt.Fprintf(w, "Idle connections also hold goroutine stacks (one reader per end): %s Lucid, %s crypto/tls per connection.\n",
				kilobytes(median(field(res.idle.lucid, idleStack))), kilobytes(median(field(res.idle.std, idleStack))))
		}
	} else if len(res.idle.ratios) > 0 {
		fmt.Fprintf(w, "memory per idle connection (%d held, both ends, live heap): Lucid %s, crypto/tls %s, ratio %.2f\n",
			res.o.idle, kilobytes(median(field(res.idle.lucid, idleHeap))), kilobytes(median(field(res.idle.std, idleHeap))), median(res.idle.ratios))
	}
	if len(res.load) > 0 {
		fmt.Fprintln(w)
		printLoad(w, res.o, res.load)
	}
}

func idleHeap(r bench.IdleResult) float64  { return r.Heap }
func idleStack(r bench.IdleResult) float64 { return r.Stack }

// cpuModel names the processor, from /proc/cpuinfo where there is one.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}
