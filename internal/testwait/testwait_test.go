package testwait

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestDeadlineBeforeTheBinarys(t *testing.T) {
	got := Deadline(t)
	if d, ok := t.Deadline(); ok {
		if !got.Before(d) {
			t.Errorf("Deadline %v is not before the test's deadline %v", got, d)
		}
		if margin := d.Sub(got); margin > maxMargin {
			t.Errorf("Deadline leaves %v before the test's deadline, more than %v", margin, maxMargin)
		}
	} else if until := time.Until(got); until < unbounded-time.Minute || until > unbounded {
		t.Errorf("without -timeout, Deadline is %v away; want about %v", until, unbounded)
	}
	if !got.After(time.Now()) {
		t.Errorf("Deadline %v is already past", got)
	}
	ctx := Context(t)
	if d, ok := ctx.Deadline(); !ok || !d.Equal(got) {
		t.Errorf("Context's deadline is %v (%v), want %v", d, ok, got)
	}
}

func TestUntilSeesTheCondition(t *testing.T) {
	var flag atomic.Bool
	go func() { flag.Store(true) }()
	if !Until(Context(t), flag.Load) {
		t.Fatal("Until gave up on a condition that became true")
	}
}

func TestUntilStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	go cancel()
	if Until(ctx, func() bool { calls++; return false }) {
		t.Fatal("Until reported a condition that never held")
	}
	if calls == 0 {
		t.Error("Until never checked the condition")
	}
}

func TestRecv(t *testing.T) {
	ch := make(chan int, 1)
	go func() { ch <- 7 }()
	if v := Recv(t, ch, "the value"); v != 7 {
		t.Errorf("Recv returned %d, want 7", v)
	}
}
