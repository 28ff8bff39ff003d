package main

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Free text decides what gzip can do with a pull, so seeded text must be
// as hard to compress as real reports, not one sentence repeated. randomText
// draws pseudo-words from a fixed 4,000-word Cyrillic vocabulary with a
// Zipf distribution, as words occur in natural language; its gzip ratio
// (≈2.6 on UTF-8) is a little below that of real Russian prose (≈3), so
// the bytes per record it yields are, if anything, pessimistic.
var vocabulary = func() []string {
	const letters = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіқғӯҳҷ"
	runes := []rune(letters)
	rng := rand.New(rand.NewPCG(42, 42))
	words := make([]string, 4000)
	for i := range words {
		var b strings.Builder
		for range 2 + rng.IntN(10) {
			b.WriteRune(runes[rng.IntN(len(runes))])
		}
		words[i] = b.String()
	}
	return words
}()

// randomText returns about n runes of sentences.
func randomText(rng *rand.Rand, n int) string {
	zipf := rand.NewZipf(rng, 1.07, 2, uint64(len(vocabulary)-1))
	var b strings.Builder
	runes, inSentence := 0, 0
	for runes < n {
		w := vocabulary[zipf.Uint64()]
		if inSentence == 0 {
			r, size := utf8.DecodeRuneInString(w)
			w = string(unicode.ToUpper(r)) + w[size:]
		}
		b.WriteString(w)
		runes += utf8.RuneCountInString(w) + 1
		inSentence++
		if inSentence > 6+rng.IntN(10) {
			b.WriteString(". ")
			inSentence = 0
			continue
		}
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String()) + "."
}
