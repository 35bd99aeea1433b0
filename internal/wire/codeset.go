package wire

// CodeSet is a set of 16-bit code points: extension types, groups, cipher
// suites. It is a bitmap over the whole 16-bit space, so it has a fixed
// size (8 KiB) and constant-time operations however many entries a peer
// sends; checking one peer-sized list against another through it stays
// linear in the message's size. The zero value is the empty set.
type CodeSet [1 << 16 / 64]uint64

// Add puts v in the set.
func (s *CodeSet) Add(v uint16) { s[v/64] |= 1 << (v % 64) }

// Has reports whether v is in the set.
func (s *CodeSet) Has(v uint16) bool { return s[v/64]&(1<<(v%64)) != 0 }
