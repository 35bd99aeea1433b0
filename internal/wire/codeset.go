package wire

// CodeSet is a set of 16-bit code points: extension types, groups, cipher
// suites. Its operations cost a bounded time however many entries a peer
// sends, so checking one peer-sized list against another through it stays
// linear in the message's size. The zero value is the empty set.
//
// The first codeSetInline entries are kept in place and searched; a set
// that grows past them moves to a bitmap over the whole 16-bit space,
// allocated then. The set is small so that it can live on the stack:
// every parser of a hello keeps one there, and a bitmap in place (8 KiB)
// made each goroutine that parses a hello grow its stack, copying it
// several times, on every connection. A peer's hello has a few dozen
// extensions at most; only a hostile one pays for the bitmap.
type CodeSet struct {
	n     int
	small [codeSetInline]uint16
	big   *[1 << 16 / 64]uint64
}

// codeSetInline is how many entries a CodeSet holds before it moves to a
// bitmap: more than the extensions, groups or key shares of any real
// hello, and few enough that a search of them is a handful of
// comparisons.
const codeSetInline = 32

// Add puts v in the set.
func (s *CodeSet) Add(v uint16) {
	if s.big != nil {
		s.big[v/64] |= 1 << (v % 64)
		return
	}
	if s.Has(v) {
		return
	}
	if s.n < len(s.small) {
		s.small[s.n] = v
		s.n++
		return
	}
	s.big = new([1 << 16 / 64]uint64)
	for _, c := range s.small[:s.n] {
		s.big[c/64] |= 1 << (c % 64)
	}
	s.big[v/64] |= 1 << (v % 64)
}

// Has reports whether v is in the set.
func (s *CodeSet) Has(v uint16) bool {
	if s.big != nil {
		return s.big[v/64]&(1<<(v%64)) != 0
	}
	for _, c := range s.small[:s.n] {
		if c == v {
			return true
		}
	}
	return false
}
