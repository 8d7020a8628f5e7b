// SPDX-License-Identifier: AGPL-3.0-or-later

package pow

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"time"
)

// BurstThreshold is how many guarded posts of one purpose from one network
// prefix in one minute the admin view calls suspicious.
const BurstThreshold = 10

type burstEvent struct {
	ID         int64
	Purpose    string
	PrefixHash string
	Minute     time.Time
}

func (burstEvent) TableName() string { return "pow_bursts" }

// Burst is a minute in which one network prefix posted one kind of form
// more than the threshold.
type Burst struct {
	Purpose    string
	PrefixHash string
	Minute     time.Time
	Count      int64
}

// prefixHash is a keyed hash of the address's network (/24 for IPv4, /48
// for IPv6): enough to see a burst from one network, and not an address
// an admin could look up.
func (s *Service) prefixHash(ctx context.Context, ip string) (string, error) {
	secret, err := s.key(ctx)
	if err != nil {
		return "", err
	}
	p := net.ParseIP(ip)
	var prefix string
	switch {
	case p == nil:
		prefix = "unknown"
	case p.To4() != nil:
		prefix = p.Mask(net.CIDRMask(24, 32)).String()
	default:
		prefix = p.Mask(net.CIDRMask(48, 128)).String()
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("burst\x00" + prefix))
	return hex.EncodeToString(m.Sum(nil))[:16], nil
}

// RecordPost counts one guarded post of a purpose from an address, and
// forgets counts older than a day.
func (s *Service) RecordPost(ctx context.Context, purpose, ip string) error {
	h, err := s.prefixHash(ctx, ip)
	if err != nil {
		return err
	}
	now := s.now()
	db := s.db.WithContext(ctx)
	if err := db.Create(&burstEvent{Purpose: purpose, PrefixHash: h, Minute: now.Truncate(time.Minute)}).Error; err != nil {
		return fmt.Errorf("counting post: %w", err)
	}
	if err := db.Where("minute < ?", now.Add(-24*time.Hour)).Delete(&burstEvent{}).Error; err != nil {
		return fmt.Errorf("forgetting old counts: %w", err)
	}
	return nil
}

// Bursts lists the minutes of the last day in which one prefix posted one
// purpose more than threshold times, newest first.
func (s *Service) Bursts(ctx context.Context, threshold int) ([]Burst, error) {
	var out []Burst
	err := s.db.WithContext(ctx).Model(&burstEvent{}).
		Select("purpose, prefix_hash, minute, COUNT(*) AS count").
		Where("minute >= ?", s.now().Add(-24*time.Hour)).
		Group("purpose, prefix_hash, minute").Having("COUNT(*) > ?", threshold).
		Order("minute DESC, count DESC").Limit(500).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("listing bursts: %w", err)
	}
	return out, nil
}
