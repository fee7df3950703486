package copilot

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// tieWindow is how far before the last modified time of a page the next
// page starts when paging by modified time. Copilot may report times to
// the second, so several calls can share one; the window lists them again
// and the pager drops those already yielded.
const tieWindow = time.Second

// AllCalls returns an iterator over every call that opts matches, fetching
// pages as it goes. A nil opts matches every call. Opts is not modified.
// The iterator yields a non-nil error once, as its last value, when a page
// cannot be fetched.
//
// Copilot accepts a skip of at most [MaxSkip]. When opts.SortProcessed is
// [SortAsc], AllCalls pages by modified time instead of by skip. Each page
// starts one second before the last modified time of the previous page,
// and calls already yielded are dropped. This reaches any number of calls.
// A call whose status changes while paging is yielded again with its new
// status, rather than shifting the pages and being missed. This relies on
// Copilot's processed order following last_modified_time, which its
// documentation implies but does not state. With any other order, paging
// past MaxSkip returns an error; narrow the filters instead.
func (c *Client) AllCalls(ctx context.Context, opts *ListCallsOptions) iter.Seq2[Call, error] {
	p := &pager{}
	if opts != nil {
		p.opts = *opts
	}
	if p.opts.Limit == 0 {
		p.opts.Limit = MaxLimit
	}
	p.keyset = p.opts.SortProcessed == SortAsc
	return func(yield func(Call, error) bool) {
		for {
			page, err := c.ListCalls(ctx, &p.opts)
			if err != nil {
				yield(Call{}, err)
				return
			}
			for _, call := range page.Calls {
				if p.repeated(call) {
					continue
				}
				if !yield(call, nil) {
					return
				}
			}
			if !p.hasMore(page) {
				return
			}
			if err := p.advance(page); err != nil {
				yield(Call{}, err)
				return
			}
		}
	}
}

// pager holds the paging state of one AllCalls iteration.
type pager struct {
	opts   ListCallsOptions
	keyset bool
	// seen holds the calls yielded since the current ModifiedGt, keyed by
	// id and modified time, so that the tie window repeats nothing.
	seen map[string]time.Time
}

func (p *pager) repeated(call Call) bool {
	if !p.keyset {
		return false
	}
	key := string(call.ID) + "\x00" + call.LastModifiedTime
	if _, ok := p.seen[key]; ok {
		return true
	}
	if p.seen == nil {
		p.seen = make(map[string]time.Time)
	}
	modified, _ := ParseTime(call.LastModifiedTime)
	p.seen[key] = modified
	return false
}

func (p *pager) hasMore(page *CallPage) bool {
	if p.opts.OmitPagination {
		return len(page.Calls) >= p.opts.Limit
	}
	return page.Pagination.HasMore && len(page.Calls) > 0
}

// advance moves to the next page: by modified time when the order allows
// and the page moved past the tie window, else by skip.
func (p *pager) advance(page *CallPage) error {
	if p.keyset && len(page.Calls) > 0 {
		last, err := ParseTime(page.Calls[len(page.Calls)-1].LastModifiedTime)
		if bound := last.Add(-tieWindow); err == nil && bound.After(p.opts.ModifiedGt) {
			p.opts.ModifiedGt, p.opts.Skip = bound, 0
			for key, modified := range p.seen {
				if !modified.After(bound) {
					delete(p.seen, key)
				}
			}
			return nil
		}
	}
	next := p.opts.Skip + len(page.Calls)
	if page.Pagination.NextPageSkip > p.opts.Skip {
		next = page.Pagination.NextPageSkip
	}
	if next > MaxSkip {
		return fmt.Errorf("copilot: listing calls: the next page starts at skip %d, past Copilot's maximum %d; "+
			"sort by SortProcessed ascending or narrow the filters", next, MaxSkip)
	}
	p.opts.Skip = next
	return nil
}

// timeLayouts are the forms of Copilot timestamps that ParseTime accepts.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999", // no zone: taken as UTC
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// ParseTime parses a Copilot timestamp such as last_modified_time: RFC 3339
// with or without fractional seconds, or the same without a zone, which is
// taken as UTC. The exact form is not fixed by Copilot's schema.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("copilot: invalid timestamp %q: want RFC 3339", s)
}
