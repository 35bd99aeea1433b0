package redisstore_test

import (
	"context"
	"log"

	"lucid/tls"
	"lucid/tls/redisstore"
)

// Every server of a fleet opens the same Redis with the same key-encryption
// key and sets the store on its tls.Config; the first to need a ticket key
// makes it, and the others adopt it. (Not run: it needs a Redis.)
func Example() {
	kek, err := redisstore.KEKFromEnv("LUCID_SESSION_KEK")
	if err != nil {
		log.Fatal(err)
	}
	store, err := redisstore.New(redisstore.Options{
		URL: "redis://127.0.0.1:6379/0",
		KEK: kek,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// New does not contact Redis: a server starts, and serves full
	// handshakes, while Redis is down. Ping says whether it is up now.
	ctx, cancel := context.WithTimeout(context.Background(), tls.SessionStoreTimeout)
	defer cancel()
	if err := store.Ping(ctx); err != nil {
		log.Printf("session store not reachable yet: %v", err)
	}

	config := &tls.Config{SessionStore: store}
	_ = config
}
