// SPDX-License-Identifier: Apache-2.0

package getopt

import "strings"

// Nearest returns the name of names (in order) nearest to word, for a
// "did you mean" hint: within two edits (EditDistance), a name word begins
// winning a tie, then the first; "" when none is that near.
func Nearest(word string, names []string) string {
	best, bestScore := "", 2*3
	for _, n := range names {
		score := 2 * EditDistance(word, n)
		if !strings.HasPrefix(n, word) {
			score++
		}
		if score < bestScore {
			best, bestScore = n, score
		}
	}
	return best
}

// EditDistance is the number of single-letter insertions, deletions,
// substitutions and swaps of neighbours that turn a into b.
func EditDistance(a, b string) int {
	prev2, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
