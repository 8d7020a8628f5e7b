// SPDX-License-Identifier: AGPL-3.0-or-later

// Package pooldata reads sortition pools from CSV: the quota table and the
// respondents. Two layouts are understood, detected from the header:
//
//   - the replication package of Flanigan et al.: categories.csv with
//     `category,feature,min,max`, respondents.csv with one column per
//     category and no id column (the 1-based row number is the id);
//   - the Sortition Foundation's: features.csv with
//     `feature,value,min,max[,min_flex,max_flex]`, candidates.csv with an id
//     column (`nationbuilder_id` or `id` unless named) and other columns,
//     which are ignored unless named as household columns.
//
// Errors name the file, the line and the column.
package pooldata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/polder-civic/polder/modules/sortition/leximin"
)

// ErrFormat marks every malformed-input error.
var ErrFormat = errors.New("malformed pool data")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// ReadCategories reads a quota table; name is used in error messages.
func ReadCategories(r io.Reader, name string) ([]leximin.Category, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	catCol, valCol := -1, -1
	if c, ok := col["category"]; ok {
		catCol = c
		if v, ok := col["feature"]; ok {
			valCol = v
		} else if v, ok := col["value"]; ok {
			valCol = v
		}
	} else if c, ok := col["feature"]; ok {
		catCol = c
		if v, ok := col["value"]; ok {
			valCol = v
		}
	}
	minCol, okMin := col["min"]
	maxCol, okMax := col["max"]
	var missing []string
	if catCol < 0 {
		missing = append(missing, "category (or feature)")
	}
	if valCol < 0 {
		missing = append(missing, "feature (or value)")
	}
	if !okMin {
		missing = append(missing, "min")
	}
	if !okMax {
		missing = append(missing, "max")
	}
	if len(missing) > 0 {
		return nil, formatErr("%s line 1: missing column(s) %s (header: %s)", name, strings.Join(missing, ", "), strings.Join(header, ","))
	}
	var cats []leximin.Category
	index := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(c int, what string) (string, error) {
			if c >= len(rec) {
				return "", formatErr("%s line %d: column %s is missing (row has %d fields)", name, line, what, len(rec))
			}
			return strings.TrimSpace(rec[c]), nil
		}
		cat, err := get(catCol, header[catCol])
		if err != nil {
			return nil, err
		}
		val, err := get(valCol, header[valCol])
		if err != nil {
			return nil, err
		}
		if cat == "" || val == "" {
			return nil, formatErr("%s line %d: empty category or value", name, line)
		}
		var bounds [2]int
		for i, c := range []int{minCol, maxCol} {
			s, err := get(c, header[c])
			if err != nil {
				return nil, err
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, formatErr("%s line %d, column %s: %q is not an integer", name, line, header[c], s)
			}
			bounds[i] = n
		}
		if bounds[0] < 0 || bounds[1] < bounds[0] {
			return nil, formatErr("%s line %d: min %d and max %d are not 0 ≤ min ≤ max", name, line, bounds[0], bounds[1])
		}
		ci, ok := index[cat]
		if !ok {
			ci = len(cats)
			index[cat] = ci
			cats = append(cats, leximin.Category{Name: cat})
		}
		for _, q := range cats[ci].Values {
			if q.Value == val {
				return nil, formatErr("%s line %d: value %s=%s listed twice", name, line, cat, val)
			}
		}
		cats[ci].Values = append(cats[ci].Values, leximin.Quota{Value: val, Min: bounds[0], Max: bounds[1]})
	}
	if len(cats) == 0 {
		return nil, formatErr("%s: no quota rows", name)
	}
	return cats, nil
}

// RespondentOptions say which columns identify a respondent.
type RespondentOptions struct {
	// IDColumn names the id column. Empty: `nationbuilder_id` or `id` if
	// present, else the 1-based row number.
	IDColumn string
	// HouseholdColumns, when set, are joined to form the household key
	// (e.g. address line and postcode); respondents with the same key
	// share a household.
	HouseholdColumns []string
}

// ReadRespondents reads the pool for the given categories.
func ReadRespondents(r io.Reader, name string, cats []leximin.Category, opt RespondentOptions) (*leximin.Pool, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	find := func(want string) (int, bool) {
		if c, ok := col[want]; ok {
			return c, true
		}
		for h, c := range col {
			if strings.EqualFold(h, want) {
				return c, true
			}
		}
		return -1, false
	}
	catCols := make([]int, len(cats))
	var missing []string
	for i, c := range cats {
		ci, ok := find(c.Name)
		if !ok {
			missing = append(missing, strconv.Quote(c.Name))
		}
		catCols[i] = ci
	}
	idCol := -1
	if opt.IDColumn != "" {
		c, ok := find(opt.IDColumn)
		if !ok {
			missing = append(missing, strconv.Quote(opt.IDColumn)+" (id)")
		}
		idCol = c
	} else if c, ok := find("nationbuilder_id"); ok {
		idCol = c
	} else if c, ok := find("id"); ok {
		idCol = c
	}
	var homeCols []int
	for _, h := range opt.HouseholdColumns {
		c, ok := find(h)
		if !ok {
			missing = append(missing, strconv.Quote(h)+" (household)")
		}
		homeCols = append(homeCols, c)
	}
	if len(missing) > 0 {
		return nil, formatErr("%s line 1: missing column(s) %s (header: %s)", name, strings.Join(missing, ", "), strings.Join(header, ","))
	}
	pool := &leximin.Pool{Categories: cats}
	firstLine := map[string]int{}
	row := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		row++
		field := func(c int) (string, error) {
			if c >= len(rec) {
				return "", formatErr("%s line %d, column %q: missing (row has %d fields, header %d)", name, line, header[c], len(rec), len(header))
			}
			return strings.TrimSpace(rec[c]), nil
		}
		v := leximin.Volunteer{ID: strconv.Itoa(row), Features: make([]int, len(cats))}
		if idCol >= 0 {
			id, err := field(idCol)
			if err != nil {
				return nil, err
			}
			if id == "" {
				return nil, formatErr("%s line %d, column %q: empty id", name, line, header[idCol])
			}
			if l, dup := firstLine[id]; dup {
				return nil, formatErr("%s line %d, column %q: duplicate id %q (first on line %d)", name, line, header[idCol], id, l)
			}
			firstLine[id] = line
			v.ID = id
		}
		for i, c := range cats {
			s, err := field(catCols[i])
			if err != nil {
				return nil, err
			}
			idx := slices.IndexFunc(c.Values, func(q leximin.Quota) bool { return q.Value == s })
			if idx < 0 {
				known := make([]string, len(c.Values))
				for j, q := range c.Values {
					known[j] = q.Value
				}
				return nil, formatErr("%s line %d, column %q: unknown value %q (known: %s)", name, line, header[catCols[i]], s, strings.Join(known, ", "))
			}
			v.Features[i] = idx
		}
		if len(homeCols) > 0 {
			parts := make([]string, len(homeCols))
			for j, c := range homeCols {
				s, err := field(c)
				if err != nil {
					return nil, err
				}
				parts[j] = strings.ToLower(strings.Join(strings.Fields(s), " "))
			}
			key := strings.Join(parts, "|")
			if strings.Trim(key, "|") != "" {
				v.Household = key
			}
		}
		pool.Volunteers = append(pool.Volunteers, v)
	}
	if len(pool.Volunteers) == 0 {
		return nil, formatErr("%s: no respondents", name)
	}
	return pool, nil
}

// Load reads a quota table and a respondents file from disk.
func Load(categoriesPath, respondentsPath string, opt RespondentOptions) (*leximin.Pool, error) {
	cf, err := os.Open(categoriesPath)
	if err != nil {
		return nil, fmt.Errorf("opening categories: %w", err)
	}
	defer cf.Close()
	cats, err := ReadCategories(cf, filepath.Base(categoriesPath))
	if err != nil {
		return nil, err
	}
	rf, err := os.Open(respondentsPath)
	if err != nil {
		return nil, fmt.Errorf("opening respondents: %w", err)
	}
	defer rf.Close()
	return ReadRespondents(rf, filepath.Base(respondentsPath), cats, opt)
}
