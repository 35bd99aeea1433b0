//go:build !lucid_crashtest

package pki

// crashPoint marks a step of an operation on a CA directory where a crash
// test may kill the process. In normal builds it does nothing; see
// crashpoint_on.go, compiled only with the lucid_crashtest build tag.
func crashPoint(string) {}
