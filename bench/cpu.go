package bench

import (
	"syscall"
	"testing"
	"time"
)

// CPUMetric is the unit under which every benchmark here reports the
// process CPU time (user + system, all threads) it spent per operation.
// Both ends of each connection run in this one process, so wall time
// would hide whatever one stack does on a second core; CPU time counts it.
const CPUMetric = "cpu-ns/op"

// ProcessCPU is the CPU time this process has used so far, user and
// system, all threads.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuClock measures the process CPU spent between start and report.
type cpuClock struct{ start time.Duration }

// startCPU starts measuring; call it where b.ResetTimer would go.
func startCPU(b *testing.B) cpuClock {
	b.ResetTimer()
	return cpuClock{start: ProcessCPU()}
}

// report stops the timer and reports the CPU time per operation. Work that
// outlives the loop (a reader draining the last records) must be waited for
// before calling it, so that it is counted.
func (c cpuClock) report(b *testing.B) {
	used := ProcessCPU() - c.start
	b.StopTimer()
	if b.N > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), CPUMetric)
	}
}
