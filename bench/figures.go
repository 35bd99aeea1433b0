package bench

import (
	"testing"

	"lucid/tls"
)

// Figure is one row of the comparison: a handshake kind or a bulk
// transfer, configured the same way on both stacks.
type Figure struct {
	// ID is a short name for selecting figures (cmd/compare -figures)
	// and naming sub-benchmarks.
	ID string
	// Name is the row's label.
	Name  string
	Setup Setup
	// Bulk makes the figure a one-way transfer (Bulk) instead of a
	// handshake (Handshake).
	Bulk bool
	// PerWrite is how much a bulk figure hands each Write; 0 sends with
	// io.Copy from a reader, as Go programs send a stream.
	PerWrite int
	// Note says where the two sides cannot do exactly the same thing.
	Note string
	// NoAES marks a figure that crypto/tls negotiates only when it
	// believes the CPU lacks AES hardware (it offers and prefers
	// ChaCha20-Poly1305 in TLS 1.3 only then, with no setting to ask
	// for it): it needs GODEBUG=cpu.aes=off, which cmd/compare sets in
	// a child process for this figure alone.
	NoAES bool
}

var (
	tls13       = Setup{Version: tls.VersionTLS13, Group: tls.X25519, Suite: tls.TLS_AES_128_GCM_SHA256}
	tls12       = Setup{Version: tls.VersionTLS12, Group: tls.X25519, Suite: tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	with        = func(s Setup, f func(*Setup)) Setup { f(&s); return s }
	tls13MLKEM  = with(tls13, func(s *Setup) { s.Group = tls.X25519MLKEM768 })
	tls13RSA    = with(tls13, func(s *Setup) { s.RSALeaf = true })
	tls13Resume = with(tls13, func(s *Setup) { s.Resume = Ticket })
	tls13MTLS   = with(tls13, func(s *Setup) { s.ClientAuth = true })
	tls12Ticket = with(tls12, func(s *Setup) { s.Resume = Ticket })
	tls12ID     = with(tls12, func(s *Setup) { s.Resume = SessionID })
	tls13Chacha = with(tls13, func(s *Setup) { s.Suite = tls.TLS_CHACHA20_POLY1305_SHA256 })
)

// Figures is every row, in the order of the table.
var Figures = []Figure{
	{ID: "tls13-ecdsa", Name: "TLS 1.3 full, X25519, ECDSA P-256 leaf", Setup: tls13},
	{ID: "tls13-ecdsa-new-peer", Name: "TLS 1.3 full, X25519, ECDSA P-256 leaf, every chain verified", Setup: with(tls13, func(s *Setup) { s.NoChainMemo = true }),
		Note: "every other handshake row reconnects to the same server, so Lucid's chain memo (tls/chainmemo.go) rechecks its chain rather than verifying its signatures again; this row turns the memo off, as for a server met for the first time"},
	{ID: "tls13-mlkem", Name: "TLS 1.3 full, X25519MLKEM768 (the default)", Setup: tls13MLKEM},
	{ID: "tls13-rsa", Name: "TLS 1.3 full, RSA-2048 leaf", Setup: tls13RSA},
	{ID: "tls13-mtls", Name: "TLS 1.3 full, client certificate (ECDSA both)", Setup: tls13MTLS},
	{ID: "tls13-resume", Name: "TLS 1.3 resumption (psk_dhe_ke)", Setup: tls13Resume},
	{ID: "tls12-ecdsa", Name: "TLS 1.2 full, ECDHE-ECDSA-AES128-GCM", Setup: tls12},
	{ID: "tls12-ticket", Name: "TLS 1.2 resumption (ticket)", Setup: tls12Ticket},
	{ID: "tls12-id", Name: "TLS 1.2 resumption (session ID)", Setup: tls12ID,
		Note: "crypto/tls has no session-ID resumption; its column is its ticket resumption"},
	{ID: "bulk13-aes", Name: "bulk, TLS 1.3 AES-128-GCM, io.Copy (per MiB)", Setup: tls13, Bulk: true,
		Note: "io.Copy rows: io.Copy hands Lucid's ReadFrom the source, which it reads a batch of records at a time; crypto/tls has no ReadFrom, so io.Copy gives it 32 KiB Writes, its real behaviour, and its bytes/op are mostly io.Copy's 32 KiB buffer, made once per operation. The source here is in memory and fills every Read, ReadFrom's best case; a socket that returns less gets fewer records per write"},
	{ID: "bulk13-aes-16k", Name: "bulk, TLS 1.3 AES-128-GCM, 16 KiB Writes (per MiB)", Setup: tls13, Bulk: true, PerWrite: fullRecord},
	{ID: "bulk13-chacha", Name: "bulk, TLS 1.3 ChaCha20-Poly1305, io.Copy (per MiB)", Setup: tls13Chacha, Bulk: true, NoAES: true},
	{ID: "bulk12-aes", Name: "bulk, TLS 1.2 AES-128-GCM, io.Copy (per MiB)", Setup: tls12, Bulk: true},
}

// Bench returns the figure's benchmark for one stack.
func (f Figure) Bench(st Stack) func(*testing.B) {
	if f.Bulk {
		return Bulk(st, f.Setup, f.PerWrite)
	}
	return Handshake(st, f.Setup)
}

// Floor returns the benchmark of the figure's primitive floor.
func (f Figure) Floor() func(*testing.B) {
	if f.Bulk {
		return BulkFloor(f.Setup.Suite)
	}
	return Floor(f.Setup)
}

// IdleSetup is the connection kind the idle-memory figure holds: the
// headline TLS 1.3 handshake.
var IdleSetup = tls13
