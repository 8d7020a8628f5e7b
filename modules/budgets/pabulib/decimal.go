// SPDX-License-Identifier: AGPL-3.0-or-later

package pabulib

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Decimal is an exact decimal number: Units · 10^(-Scale). Costs, budgets
// and points in .pb files are decimals ("114339.91", "1234,50"); keeping
// them exact lets the outcome rules work on integers.
type Decimal struct {
	Units int64
	Scale int
}

// errNotDecimal is returned by ParseDecimal for text that is not a number.
var errNotDecimal = errors.New("not a decimal number")

// ParseDecimal reads a decimal number with either '.' or ',' as the decimal
// separator (pabulib files written in Polish locales use the comma) and an
// optional sign. Exponents and thousands separators are refused.
func ParseDecimal(s string) (Decimal, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Decimal{}, fmt.Errorf("%q: %w", s, errNotDecimal)
	}
	neg := false
	switch t[0] {
	case '-':
		neg = true
		t = t[1:]
	case '+':
		t = t[1:]
	}
	intPart, frac := t, ""
	if i := strings.IndexAny(t, ".,"); i >= 0 {
		intPart, frac = t[:i], t[i+1:]
	}
	if intPart == "" && frac == "" {
		return Decimal{}, fmt.Errorf("%q: %w", s, errNotDecimal)
	}
	// Trailing zeros of the fraction carry no value; dropping them keeps
	// the scale (and the overflow risk) as small as possible.
	frac = strings.TrimRight(frac, "0")
	var units int64
	for _, part := range []string{intPart, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return Decimal{}, fmt.Errorf("%q: %w", s, errNotDecimal)
			}
			if units > (1<<62)/10 {
				return Decimal{}, fmt.Errorf("%q: too large", s)
			}
			units = units*10 + int64(r-'0')
		}
	}
	if len(frac) > 18 {
		return Decimal{}, fmt.Errorf("%q: too many decimals", s)
	}
	if neg {
		units = -units
	}
	return Decimal{Units: units, Scale: len(frac)}, nil
}

// Rat returns the exact value.
func (d Decimal) Rat() *big.Rat {
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil)
	return new(big.Rat).SetFrac(big.NewInt(d.Units), den)
}

// Float returns an approximation, for display.
func (d Decimal) Float() float64 {
	f, _ := d.Rat().Float64()
	return f
}

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.Units < 0:
		return -1
	case d.Units > 0:
		return 1
	}
	return 0
}

// ScaledTo returns the value in units of 10^(-scale); ok is false when the
// value has more decimals than scale or does not fit in an int64.
func (d Decimal) ScaledTo(scale int) (int64, bool) {
	if scale < d.Scale {
		return 0, false
	}
	v := d.Units
	for i := d.Scale; i < scale; i++ {
		if v > (1<<62)/10 || v < -(1<<62)/10 {
			return 0, false
		}
		v *= 10
	}
	return v, true
}

// String formats the value with a '.' separator.
func (d Decimal) String() string {
	return d.Rat().FloatString(d.Scale)
}
