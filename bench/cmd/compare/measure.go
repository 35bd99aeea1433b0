package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"lucid/bench"
)

// sample is one benchmark run's result, per operation.
type sample struct {
	CPU    float64 // process CPU nanoseconds
	Wall   float64 // nanoseconds
	Allocs int64
	Bytes  int64
}

// initTesting registers the testing package's flags, through which
// testing.Benchmark learns how long to run.
func initTesting() { testing.Init() }

// measure runs fn through testing.Benchmark for d, or for n operations
// when n > 0, after a collection, so that no earlier run's garbage is
// collected on this run's account.
func measure(fn func(*testing.B), d time.Duration, n int) (sample, error) {
	bt := d.String()
	if n > 0 {
		bt = strconv.Itoa(n) + "x"
	}
	if err := flag.Set("test.benchtime", bt); err != nil {
		return sample{}, err
	}
	runtime.GC()
	r := testing.Benchmark(fn)
	if r.N == 0 {
		if err := bench.LastError(); err != nil {
			return sample{}, err
		}
		return sample{}, errors.New("benchmark failed")
	}
	return sample{
		CPU:    r.Extra[bench.CPUMetric],
		Wall:   float64(r.T.Nanoseconds()) / float64(r.N),
		Allocs: r.AllocsPerOp(),
		Bytes:  r.AllocedBytesPerOp(),
	}, nil
}

// runFigure runs f for both stacks in order; a figure crypto/tls only
// negotiates without AES hardware runs in a child process, both stacks
// alike, so that the two see the same environment.
func runFigure(f bench.Figure, order []bench.Stack, o options) (map[bench.Stack]sample, error) {
	if f.NoAES {
		return runInChild(f, order, o)
	}
	out := map[bench.Stack]sample{}
	for _, st := range order {
		s, err := measure(f.Bench(st), o.benchtime, bulkOps(f, o))
		if err != nil {
			return nil, fmt.Errorf("%s, %v: %w", f.ID, st, err)
		}
		out[st] = s
	}
	return out, nil
}

func bulkOps(f bench.Figure, o options) int {
	if f.Bulk {
		return o.bulkMiB
	}
	return 0
}

// childResult is what a child process prints: one sample per stack.
type childResult struct {
	Samples map[string]sample
}

func runInChild(f bench.Figure, order []bench.Stack, o options) (map[bench.Stack]sample, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, st := range order {
		names = append(names, st.String())
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "GODEBUG="+godebugNoAES(),
		childEnv+"="+strings.Join([]string{f.ID, strings.Join(names, ","), o.benchtime.String(), strconv.Itoa(o.bulkMiB)}, ";"))
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s in a child process: %w", f.ID, err)
	}
	var cr childResult
	if err := json.Unmarshal(outb, &cr); err != nil {
		return nil, fmt.Errorf("%s: the child's answer: %w", f.ID, err)
	}
	out := map[bench.Stack]sample{}
	for _, st := range order {
		s, ok := cr.Samples[st.String()]
		if !ok {
			return nil, fmt.Errorf("%s: the child measured no %v", f.ID, st)
		}
		out[st] = s
	}
	return out, nil
}

// godebugNoAES keeps the caller's GODEBUG settings and adds cpu.aes=off,
// under which crypto/tls prefers ChaCha20-Poly1305.
func godebugNoAES() string {
	if g := os.Getenv("GODEBUG"); g != "" {
		return g + ",cpu.aes=off"
	}
	return "cpu.aes=off"
}

// childEnv carries a child process's task: figure ID, stack order,
// benchtime and bulk MiB, separated by semicolons. An environment variable
// rather than flags, so that a test binary can serve as the child too.
const childEnv = "LUCID_COMPARE_CHILD"

// runAsChild runs the task childEnv names, if any, prints its result and
// reports whether it did.
func runAsChild() bool {
	task := os.Getenv(childEnv)
	if task == "" {
		return false
	}
	parts := strings.Split(task, ";")
	if len(parts) != 4 {
		fatal(fmt.Errorf("%s=%q: want four fields", childEnv, task))
	}
	var o options
	var err error
	if o.benchtime, err = time.ParseDuration(parts[2]); err != nil {
		fatal(err)
	}
	if o.bulkMiB, err = strconv.Atoi(parts[3]); err != nil {
		fatal(err)
	}
	if err := runChild(os.Stdout, parts[0], parts[1], o); err != nil {
		fatal(err)
	}
	return true
}

func runChild(w io.Writer, id, order string, o options) error {
	var f *bench.Figure
	for i := range bench.Figures {
		if bench.Figures[i].ID == id {
			f = &bench.Figures[i]
		}
	}
	if f == nil {
		return fmt.Errorf("no figure %q", id)
	}
	cr := childResult{Samples: map[string]sample{}}
	for _, name := range strings.Split(order, ",") {
		st := bench.Lucid
		if name == bench.Std.String() {
			st = bench.Std
		}
		s, err := measure(f.Bench(st), o.benchtime, bulkOps(*f, o))
		if err != nil {
			return fmt.Errorf("%s, %v: %w", id, st, err)
		}
		cr.Samples[name] = s
	}
	return json.NewEncoder(w).Encode(cr)
}
