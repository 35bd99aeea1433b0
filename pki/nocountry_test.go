package pki

import (
	"testing"
	"time"
)

// A CA names no country unless it is given one.
func TestNoCountry(t *testing.T) {
	for _, country := range []string{"", "DE"} {
		ca, err := NewMemoryCA(InitOptions{Name: "Country Root", Country: country, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		c := ca.Certificate()
		want := 0
		if country != "" {
			want = 1
		}
		if len(c.Subject.Country) != want || (want == 1 && c.Subject.Country[0] != country) {
			t.Errorf("country %q: subject %s", country, c.Subject)
		}
	}
	if _, err := NewMemoryCA(InitOptions{Name: "Bad", Country: "xx", Now: time.Now()}); err == nil {
		t.Error("a lower-case country was accepted")
	}
}
