package testbuffer

import (
	"fmt"
	"testing"

	"lucid/internal/testwait"
)

func TestWaitForWakesAtWrite(t *testing.T) {
	var b Buffer
	go func() {
		for i := range 5 {
			fmt.Fprintf(&b, "line %d\n", i)
		}
	}()
	if !b.WaitFor("line 4", testwait.Context(t).Done()) {
		t.Fatal("WaitFor did not see what was written")
	}
	if n := b.Count("line"); n != 5 {
		t.Fatalf("Count = %d, want 5", n)
	}
	stop := make(chan struct{})
	close(stop)
	if b.WaitFor("never written", stop) {
		t.Fatal("WaitFor found what was never written")
	}
	if got := string(b.Bytes()); got != b.String() {
		t.Fatalf("Bytes %q differs from String %q", got, b.String())
	}
}
