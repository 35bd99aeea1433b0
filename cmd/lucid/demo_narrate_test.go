package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"lucid/tls"
)

// TestCatalogs checks that both languages have every text, no other, and
// the same kind of text under each key: a phrase where the skeleton builds
// a line from it, something to say where it says it.
func TestCatalogs(t *testing.T) {
	cats := map[string]*catalog{"en": enCatalog, "zh": zhCatalog}
	for lang, c := range cats {
		for k := msg(0); k < msgCount; k++ {
			tx, ok := c.texts[k]
			if !ok {
				t.Errorf("%s: text %d missing", lang, k)
				continue
			}
			if strings.TrimSpace(tx.s) == "" {
				t.Errorf("%s: text %d is empty", lang, k)
			}
			if (tx.form == phrase) != (enCatalog.texts[k].form == phrase) {
				t.Errorf("%s: text %d is a phrase in one language and not in the other", lang, k)
			}
		}
		for k := range c.texts {
			if k < 0 || k >= msgCount {
				t.Errorf("%s: text %d is not a msg", lang, k)
			}
		}
	}
}

// storyVariants change a recorded story the ways a live one can turn out
// differently, to reach the narration's other branches.
var storyVariants = map[string]struct {
	change func(s *story)
	en, zh string // what the narration must then say
	only13 bool   // the branch exists in TLS 1.3 only
}{
	"attacks not stopped": {func(s *story) {
		for _, a := range s.attacks {
			a.stopped, a.problem, a.alert = false, errors.New("the server answered 100% of it"), ""
		}
	}, "NOT STOPPED: the server answered 100% of it", "未被阻止：the server answered 100% of it", false},
	"hello retry": {func(s *story) {
		s.cs.DidHelloRetryRequest = true
	}, "yes, the server asked for another key share", "有，服务端要求客户端换一个密钥份额", true},
	"checks fail": {func(s *story) {
		for i := range s.checks {
			s.checks[i].ok = false
		}
		for i := range s.dec.finished {
			s.dec.finished[i].want = append([]byte{1}, s.dec.finished[i].got...)
		}
	}, "recomputed: DIFFERENT", "重新计算：不一致", false},
	"tampered request read": {func(s *story) {
		for _, a := range s.attacks {
			a.o.request = []byte("FET")
		}
	}, "The server read 3 bytes of the altered request.", "服务端读到了 3 字节被篡改的请求！", false},
	"no attacks": {func(s *story) {
		s.attacks, s.opts.Attacks = nil, []string{}
	}, "0 attacks, 0 stopped", "0 个攻击，0 个被阻止", false},
}

func TestNarrationBranches(t *testing.T) {
	for _, m := range demoModes {
		base := readStory(t, filepath.Join(goldenDir, m.name+".story.json"))
		for name, v := range storyVariants {
			if v.only13 && m.opts.Version != tls.VersionTLS13 {
				continue
			}
			s := copyStory(base)
			v.change(s)
			for lang, want := range map[string]string{"en": v.en, "zh": v.zh} {
				var out bytes.Buffer
				if err := narrate(&out, s, catalogFor(lang)); err != nil {
					t.Fatal(err)
				}
				got := out.String()
				if !strings.Contains(got, want) {
					t.Errorf("%s, %s, %s: the narration lacks %q", m.name, name, lang, want)
				}
				if strings.Contains(got, "%!") || strings.Contains(got, "missing]") {
					t.Errorf("%s, %s, %s: a text is missing or its arguments do not fit:\n%s", m.name, name, lang, got)
				}
				checkWidth(t, got)
			}
		}
	}
}

// copyStory copies what the variants change.
func copyStory(s *story) *story {
	c := *s
	c.attacks = nil
	for _, a := range s.attacks {
		ac, o := *a, *a.o
		ac.o = &o
		c.attacks = append(c.attacks, &ac)
	}
	c.checks = append([]certCheck(nil), s.checks...)
	d := *s.dec
	d.finished = append([]finishedCheck(nil), s.dec.finished...)
	c.dec = &d
	return &c
}
