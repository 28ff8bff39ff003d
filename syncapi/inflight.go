package syncapi

import (
	"context"
	"sync"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/sync/semaphore"

	"aman/privacy"
)

// pageBudget bounds the pull pages built or held for their readers: in all
// (maxPagesInFlight), per client address (maxPagesInFlightPerIP) and per
// class of caller, in units of a gzip page (see pageWeight). The
// per-address bound keeps one address that opens many pulls and never
// reads them from taking the whole budget and stalling every other
// device; phones behind one carrier NAT share an address, so it is a
// quarter of the whole, not one page. The class bounds keep what is left
// for the people who must work when everything else is busy: anonymous
// pulls (from any number of addresses) hold at most maxPagesPublic, and
// one address's anonymous pulls at most maxPagesPublicPerIP of it, so it
// takes several addresses to fill it; anonymous and signed-in users
// together (anyone may sign up as a volunteer) at most maxPagesOpen;
// everyone but staff (aid workers too, whom coordinators assign) at most
// maxPagesNonStaff, and the rest is for coordinators, editors and
// superusers.
//
// A pull takes its units from its address's public share (anonymous pulls
// only), then from its address, then from each bound of its class,
// narrowest first, then from the whole, always in that order, so a holder
// of wider units never waits for narrower ones; every wait ends when the
// request's context does.
type pageBudget struct {
	all         *semaphore.Weighted
	classes     [staff]*semaphore.Weighted // the bound of each class below staff, narrowest first
	mu          sync.Mutex
	byIP        map[string]*ipBudget
	perIP       int64
	publicPerIP int64
}

// callerClass orders callers by what they may be left without: the
// public's pulls give way first, staff's last.
type callerClass int

const (
	public   callerClass = iota // anonymous
	member                      // signed in, neither staff nor an aid worker (volunteers: anyone may sign up)
	assigned                    // aid workers of an organization (users.organization, set by coordinators)
	staff                       // coordinators, editors, superusers
)

type ipBudget struct {
	sem    *semaphore.Weighted
	public *semaphore.Weighted // the address's share of the public class
	users  int                 // requests holding or waiting for this address's units
}

// newPageBudget bounds pages at total in all, perIP per address (of which
// publicPerIP for its anonymous pulls), and byClass[c] for the callers of
// class c and narrower ones.
func newPageBudget(total, perIP, publicPerIP int64, byClass [staff]int64) *pageBudget {
	b := &pageBudget{all: semaphore.NewWeighted(total), byIP: map[string]*ipBudget{}, perIP: perIP, publicPerIP: publicPerIP}
	for c, n := range byClass {
		b.classes[c] = semaphore.NewWeighted(n)
	}
	return b
}

// acquire takes w units for a pull of class c from ip; release must follow
// a nil error, with the same arguments.
func (b *pageBudget) acquire(ctx context.Context, ip string, c callerClass, w int64) error {
	ib := b.join(ip)
	order := []*semaphore.Weighted{ib.sem}
	if c == public {
		order = []*semaphore.Weighted{ib.public, ib.sem}
	}
	order = append(append(order, b.classes[c:]...), b.all)
	held := make([]*semaphore.Weighted, 0, len(order))
	for _, sem := range order {
		if err := sem.Acquire(ctx, w); err != nil {
			for _, h := range held {
				h.Release(w)
			}
			b.leave(ip)
			return err
		}
		held = append(held, sem)
	}
	return nil
}

func (b *pageBudget) release(ip string, c callerClass, w int64) {
	b.all.Release(w)
	for _, sem := range b.classes[c:] {
		sem.Release(w)
	}
	b.mu.Lock()
	ib := b.byIP[ip]
	b.mu.Unlock()
	ib.sem.Release(w)
	if c == public {
		ib.public.Release(w)
	}
	b.leave(ip)
}

// join returns ip's budget, counting the caller as one of its users.
func (b *pageBudget) join(ip string) *ipBudget {
	b.mu.Lock()
	defer b.mu.Unlock()
	ib, ok := b.byIP[ip]
	if !ok {
		ib = &ipBudget{sem: semaphore.NewWeighted(b.perIP), public: semaphore.NewWeighted(b.publicPerIP)}
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

// classOf is the class of a request's caller (nil: anonymous).
func classOf(auth *core.Record) callerClass {
	switch v := privacy.ViewerOf(auth); {
	case auth == nil:
		return public
	case v.Superuser || v.Role == privacy.RoleCoordinator || v.Role == privacy.RoleEditor:
		return staff
	case v.Role == privacy.RoleAidWorker && v.Org != "":
		// as privacy counts aid workers: without an organization they
		// have a volunteer's access, and only a coordinator or a
		// superuser sets one (whether it is active is not read: one
		// query more for every pull, and a retired organization's
		// members were still assigned by coordinators)
		return assigned
	default:
		return member
	}
}
