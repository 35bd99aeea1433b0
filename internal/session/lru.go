package session

import "container/list"

// recency is a string-keyed map that remembers the order of use, so that
// the least recently used entry can be dropped when it is full. Both caches
// are built on it; it does no locking, which is theirs to do.
type recency[V any] struct {
	limit int
	order *list.List // of *slot[V]; front is the most recently used
	index map[string]*list.Element
}

// slot is one entry: its key, kept so that dropping the back of the list
// can find the map entry to delete, and its value.
type slot[V any] struct {
	key string
	val V
}

func newRecency[V any](limit int) *recency[V] {
	return &recency[V]{
		limit: limit,
		order: list.New(),
		// The map grows with use rather than being sized to limit up
		// front, so a generous limit costs nothing until it is used.
		index: make(map[string]*list.Element),
	}
}

// lookup returns the entry for key and marks it as just used.
func (r *recency[V]) lookup(key string) (V, bool) {
	e, ok := r.index[key]
	if !ok {
		var zero V
		return zero, false
	}
	r.order.MoveToFront(e)
	return e.Value.(*slot[V]).val, true
}

// store sets key to val, marks it as just used, and drops the least
// recently used entry if that takes the map past its limit.
func (r *recency[V]) store(key string, val V) {
	if e, ok := r.index[key]; ok {
		e.Value.(*slot[V]).val = val
		r.order.MoveToFront(e)
		return
	}
	r.index[key] = r.order.PushFront(&slot[V]{key: key, val: val})
	for r.order.Len() > r.limit {
		r.drop(r.order.Back())
	}
}

// remove deletes key if present.
func (r *recency[V]) remove(key string) {
	if e, ok := r.index[key]; ok {
		r.drop(e)
	}
}

func (r *recency[V]) drop(e *list.Element) {
	delete(r.index, e.Value.(*slot[V]).key)
	r.order.Remove(e)
}

func (r *recency[V]) len() int { return r.order.Len() }
