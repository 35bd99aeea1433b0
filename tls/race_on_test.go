//go:build race

package tls_test

// raceEnabled says the race detector is on: its sync.Pool drops a share
// of what is put back, on purpose, so pooled buffers are made again and
// allocation counts mean nothing.
const raceEnabled = true
