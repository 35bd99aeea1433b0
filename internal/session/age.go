package session

import "time"

// ObfuscatedAge returns obfuscated_ticket_age for a client offering st's
// ticket at now: the age in milliseconds plus ticket_age_add, modulo 2^32
// (RFC 8446 §4.2.11.1). The age counts from st.CreatedAt, which a client
// sets to when it received NewSessionTicket. A negative age (the clock went
// back) is sent as zero rather than as a huge wrapped value, so the server
// sees a small error instead of a nonsense age. A nil st gives 0.
func ObfuscatedAge(st *State, now time.Time) uint32 {
	if st == nil {
		return 0
	}
	age := max(now.Sub(st.CreatedAt), 0)
	// uint32 of the millisecond count, and the addition, both wrap:
	// that is the modulo 2^32 the RFC asks for.
	return uint32(age.Milliseconds()) + st.AgeAdd
}

// AgeOK reports whether a server should accept st's ticket offered with
// obfuscatedAge at now: the ticket is within its lifetime, and the client's
// view of its age is within tolerance of the server's (RFC 8446 §8.3).
//
// A ticket is valid for ages in [0, Lifetime): ticket_lifetime zero means
// "discard immediately" (RFC 8446 §4.6.1), so a ticket whose age equals its
// lifetime has expired. The same bound applies to the client's reported
// age, since clients MUST NOT offer tickets older than their lifetime (RFC
// 8446 §4.2.11.1). A lifetime over 7 days is held to 7 days, and a ticket
// the server's clock says was made in the future is refused: its age cannot
// be checked.
//
// The tolerance is symmetric; RFC 8446 §8.3 suggests on the order of ten
// seconds for clients on the Internet. A negative tolerance counts as zero.
// The server's age counts from st.CreatedAt, which should be the ticket's
// issue time plus any estimate of the round trip the server wants to allow
// for (the RFC's adjusted_creation_time).
func AgeOK(st *State, obfuscatedAge uint32, now time.Time, tolerance time.Duration) bool {
	if st == nil {
		return false
	}
	lifetime := min(st.Lifetime, MaxLifetime)
	serverAge := now.Sub(st.CreatedAt)
	if serverAge < 0 || serverAge >= lifetime {
		return false
	}
	// The client reports whole milliseconds; comparing at that precision
	// keeps a client whose clock agrees exactly from being off by a
	// fraction of a millisecond.
	serverAge = serverAge.Truncate(time.Millisecond)
	// Subtraction modulo 2^32 undoes the client's addition even when it
	// wrapped.
	clientAge := time.Duration(obfuscatedAge-st.AgeAdd) * time.Millisecond
	if clientAge >= lifetime {
		return false
	}
	// Both ages are below 7 days here, so neither the difference nor its
	// negation can overflow.
	diff := serverAge - clientAge
	if diff < 0 {
		diff = -diff
	}
	return diff <= max(tolerance, 0)
}
