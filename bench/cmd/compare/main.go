// Command compare measures Lucid against crypto/tls side by side and prints
// the table the README's performance section shows:
//
//	go run ./bench/cmd/compare            # the full table, a few minutes
//	go run ./bench/cmd/compare -quick     # a rough table in under a minute
//	go run ./bench/cmd/compare -load      # also HTTPS under wrk
//
// Each round runs every figure for both stacks, alternating which stack
// goes first from one round to the next, so that both see the same machine
// state; the ratio is taken within each round and the table shows the
// median over rounds with its range. Both ends of every connection run in
// this process, so the figures are CPU time (user + system) per operation,
// not wall time.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"
)

type options struct {
	rounds     int
	benchtime  time.Duration // per handshake benchmark run
	bulkMiB    int           // MiB per bulk benchmark run
	idle       int           // connections held for the idle-memory figure; 0 skips it
	idleRounds int           // rounds that measure idle memory (it varies little and takes long)
	figures    *regexp.Regexp
	load       bool
	loadTime   time.Duration
	loadConns  int
	loadRounds int
}

func main() {
	rounds := flag.Int("rounds", 7, "rounds; each runs every figure for both stacks, alternating which goes first")
	quick := flag.Bool("quick", false, "a rough table fast: 3 rounds, short runs, 200 idle connections")
	benchtime := flag.Duration("benchtime", 500*time.Millisecond, "how long each handshake benchmark runs in each round")
	bulk := flag.Int("bulk", 128, "MiB each bulk benchmark moves in each round")
	idle := flag.Int("idle", 2000, "idle connections held for the memory figure (0 skips it)")
	idleRounds := flag.Int("idle-rounds", 2, "how many of the rounds measure idle memory, which varies little and takes long")
	figures := flag.String("figures", "", "regular expression selecting figures by ID (tls13-ecdsa, bulk13-aes, …); empty runs all")
	load := flag.Bool("load", false, "also load Lucid's https server and net/http over crypto/tls with wrk")
	loadTime := flag.Duration("load-time", 5*time.Second, "how long each wrk run lasts")
	loadConns := flag.Int("load-conns", 16, "connections wrk keeps open")
	loadRounds := flag.Int("load-rounds", 3, "rounds of the load test, alternating which server goes first")
	initTesting()
	if runAsChild() {
		return
	}
	flag.Parse()

	o := options{rounds: *rounds, benchtime: *benchtime, bulkMiB: *bulk, idle: *idle, idleRounds: *idleRounds,
		load: *load, loadTime: *loadTime, loadConns: *loadConns, loadRounds: *loadRounds}
	if *quick {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["rounds"] {
			o.rounds = 3
		}
		if !set["benchtime"] {
			o.benchtime = 100 * time.Millisecond
		}
		if !set["bulk"] {
			o.bulkMiB = 16
		}
		if !set["idle"] {
			o.idle = 200
		}
		if !set["load-time"] {
			o.loadTime = 2 * time.Second
		}
		if !set["load-rounds"] {
			o.loadRounds = 1
		}
	}
	var err error
	if o.figures, err = regexp.Compile(*figures); err != nil {
		fatal(fmt.Errorf("-figures: %w", err))
	}
	if o.rounds < 1 || o.benchtime <= 0 || o.bulkMiB < 1 || o.idle < 0 {
		fatal(fmt.Errorf("-rounds, -benchtime and -bulk must be positive and -idle not negative"))
	}
	if err := run(os.Stdout, os.Stderr, o); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "compare:", err)
	os.Exit(1)
}

// progress reports what is running, so that a few minutes of silence do
// not look like a hang.
func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
