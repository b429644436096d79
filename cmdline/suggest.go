package cmdline

import (
	"sort"
	"strings"
)

// Did you mean …? A mistyped command or sub-command name is answered with
// the names nearest to it.

// Nearest returns the names within max edits of word, closest first, then
// by name.
func Nearest(word string, names []string, max int) []string {
	type cand struct {
		name string
		d    int
	}
	var found []cand
	for _, n := range names {
		if d := editDistance(word, n, max); d <= max {
			found = append(found, cand{n, d})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].d != found[j].d {
			return found[i].d < found[j].d
		}
		return found[i].name < found[j].name
	})
	out := make([]string, len(found))
	for i, c := range found {
		out[i] = c.name
	}
	return out
}

// OrList writes names as "`/do a`", "`/do a` or `/do b`", ….
func OrList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`/do " + n + "`"
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// editDistance is the Levenshtein distance between a and b in runes, or
// max+1 as soon as it must exceed max (so a long typed word costs little).
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], max+1)
}
