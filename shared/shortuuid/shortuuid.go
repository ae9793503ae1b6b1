package shortuuid

import (
	"math/big"
	"strings"
)

// alphabet is short-uuid's flickrBase58: digits and letters without 0, O,
// I and l, lower case before upper case.
const alphabet = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

// Length is the length of every short UUID (ceil(128 / log2(58))).
const Length = 22

var (
	base   = big.NewInt(int64(len(alphabet)))
	digits = func() [256]int8 {
		var d [256]int8
		for i := range d {
			d[i] = -1
		}
		for i := 0; i < len(alphabet); i++ {
			d[alphabet[i]] = int8(i)
		}
		return d
	}()
	// maxUUID is 2^128: a short UUID must stand for less.
	maxUUID = new(big.Int).Lsh(big.NewInt(1), 128)
)

// FromUUID returns the short form of a UUID (any case, with or without
// dashes), or "" when uuid is not 32 hex digits.
func FromUUID(uuid string) string {
	hex := strings.ReplaceAll(uuid, "-", "")
	if len(hex) != 32 {
		return ""
	}
	n, ok := new(big.Int).SetString(hex, 16)
	if !ok {
		return ""
	}
	var out [Length]byte
	mod := new(big.Int)
	i := Length
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		i--
		out[i] = alphabet[mod.Int64()]
	}
	for i > 0 {
		i--
		out[i] = alphabet[0]
	}
	return string(out[:])
}

// ToUUID returns the lower-case, dashed UUID a short UUID stands for. ok is
// false when s is not Length characters of the alphabet or stands for a
// number of more than 128 bits.
func ToUUID(s string) (uuid string, ok bool) {
	if len(s) != Length {
		return "", false
	}
	n := new(big.Int)
	for i := 0; i < len(s); i++ {
		d := digits[s[i]]
		if d < 0 {
			return "", false
		}
		n.Mul(n, base)
		n.Add(n, big.NewInt(int64(d)))
	}
	if n.Cmp(maxUUID) >= 0 {
		return "", false
	}
	hex := n.Text(16)
	hex = strings.Repeat("0", 32-len(hex)) + hex
	return hex[0:8] + "-" + hex[8:12] + "-" + hex[12:16] + "-" + hex[16:20] + "-" + hex[20:], true
}
