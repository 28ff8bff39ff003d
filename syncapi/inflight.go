package syncapi

import (
	"context"
	"net/netip"
	"sync"

	"golang.org/x/sync/semaphore"
)

// pageBudget bounds the pull pages built or held for their readers: in all
// (maxPagesInFlight) and per client address (maxPagesInFlightPerIP), in
// units of a gzip page (see pageWeight). The per-address bound keeps one
// address that opens many pulls and never reads them from taking the whole
// budget and stalling every other device; phones behind one carrier NAT
// share an address, so it is a quarter of the whole, not one page.
//
// A pull first takes its units from its address, then from the whole, so
// a holder of global units never waits for an address's; both waits end
// when the request's context does.
type pageBudget struct {
	all   *semaphore.Weighted
	mu    sync.Mutex
	byIP  map[string]*ipBudget
	perIP int64
}

type ipBudget struct {
	sem   *semaphore.Weighted
	users int // requests holding or waiting for this address's units
}

func newPageBudget(total, perIP int64) *pageBudget {
	return &pageBudget{all: semaphore.NewWeighted(total), byIP: map[string]*ipBudget{}, perIP: perIP}
}

// acquire takes w units for a pull from ip; release must follow a nil error.
func (b *pageBudget) acquire(ctx context.Context, ip string, w int64) error {
	ib := b.join(ip)
	if err := ib.sem.Acquire(ctx, w); err != nil {
		b.leave(ip)
		return err
	}
	if err := b.all.Acquire(ctx, w); err != nil {
		ib.sem.Release(w)
		b.leave(ip)
		return err
	}
	return nil
}

func (b *pageBudget) release(ip string, w int64) {
	b.all.Release(w)
	b.mu.Lock()
	b.byIP[ip].sem.Release(w)
	b.mu.Unlock()
	b.leave(ip)
}

// join returns ip's budget, counting the caller as one of its users.
func (b *pageBudget) join(ip string) *ipBudget {
	b.mu.Lock()
	defer b.mu.Unlock()
	ib, ok := b.byIP[ip]
	if !ok {
		ib = &ipBudget{sem: semaphore.NewWeighted(b.perIP)}
		b.byIP[ip] = ib
	}
	ib.users++
	return ib
}

// leave drops an address's budget once nobody holds or waits for it, so
// the map holds only addresses with pulls in progress.
func (b *pageBudget) leave(ip string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ib := b.byIP[ip]
	ib.users--
	if ib.users == 0 {
		delete(b.byIP, ip)
	}
}

// addressKey is the address a pull counts against: an IPv4 address as it
// is, an IPv6 one by its /64, the block one subscriber (a phone, a home)
// is given whole and can pick addresses from at will.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}
