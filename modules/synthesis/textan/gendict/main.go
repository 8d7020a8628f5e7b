// SPDX-License-Identifier: AGPL-3.0-or-later

// Command gendict turns a FreeDict dictionary as Debian installs it
// (/usr/share/dictd/freedict-fra-eng.dict.dz, package dict-freedict-fra-eng)
// into the table textan embeds: one line per single-word headword,
// "headword<TAB>translation|translation...", the translations that are
// single English words, in the dictionary's order. See
// ../dictionaries/README.md.
//
//	go run ./gendict /usr/share/dictd/freedict-fra-eng.dict.dz dictionaries/fra-eng.tsv
package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gendict SOURCE.dict.dz OUTPUT.tsv")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gendict:", err)
		os.Exit(1)
	}
}

func run(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("opening dictionary: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	table, err := parse(zr)
	if err != nil {
		return fmt.Errorf("parsing %s: %w", src, err)
	}
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("creating table: %w", err)
	}
	if err := write(out, table); err != nil {
		out.Close()
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return out.Close()
}

var (
	// A headword line: the word, its pronunciation between slashes and
	// an optional part of speech: "abaisser /abese/ <v>".
	headLine = regexp.MustCompile(`^(\S.*?) /[^/]*/(\s*<[^>]*>)?\s*$`)
	senseNum = regexp.MustCompile(`^\d+\.\s*`)
	aside    = regexp.MustCompile(`\([^)]*\)|<[^>]*>`)
	article  = regexp.MustCompile(`^(to|a|an|the) `)
	oneWord  = regexp.MustCompile(`^[a-z][a-z'-]*$`)
)

// parse reads the plain text of a dictd database and returns, per
// lower-cased single-word headword, its single-word translations in the
// order the dictionary gives them (an infinitive's "to" and an article
// dropped, asides in brackets removed). Entries of the same headword
// written with different case are joined.
func parse(r io.Reader) (map[string][]string, error) {
	table := map[string][]string{}
	var head string
	inEntry := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := headLine.FindStringSubmatch(line); m != nil {
			head, inEntry = m[1], true
			if strings.Contains(head, " ") || strings.HasPrefix(head, "00") {
				inEntry = false // phrases and the database's own entries
			}
			head = strings.ToLower(strings.TrimSpace(head))
			continue
		}
		line = strings.TrimSpace(line)
		if !inEntry || line == "" {
			continue
		}
		line = aside.ReplaceAllString(senseNum.ReplaceAllString(line, ""), "")
		for part := range strings.FieldsFuncSeq(line, func(r rune) bool { return r == ',' || r == ';' }) {
			part = article.ReplaceAllString(strings.ToLower(strings.TrimSpace(part)), "")
			if oneWord.MatchString(part) && !slices.Contains(table[head], part) {
				table[head] = append(table[head], part)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return table, nil
}

func write(w io.Writer, table map[string][]string) error {
	heads := make([]string, 0, len(table))
	for h := range table {
		heads = append(heads, h)
	}
	slices.Sort(heads)
	bw := bufio.NewWriter(w)
	for _, h := range heads {
		fmt.Fprintf(bw, "%s\t%s\n", h, strings.Join(table[h], "|"))
	}
	return bw.Flush()
}
