"""The causal core: one day of the market for one block of people, in R replicate worlds at once.

Per person and day (vectorised over people and replicates):

1. adstock of each channel decays: ``A_c <- A_c * 0.5 ** (1 / half_life_c)``;
2. touchpoints arrive (paid clicks spread over the market by targeting weight, creator-post clicks, organic search,
   direct and referral-site visits, e-mail clicks, referral-programme clicks) and add 1 each to ``A_c``;
3. purchase hazard ``h = h_shopify + h_amazon`` with

       base      = baseline (prospect: acquisition hazard; alive customer: BG/NBD rate; churned: 0)
                   x weekday x promotion multiplier
       lift_c    = lift_c * A_c / (A_c + saturation_c) * interaction multipliers  (x customer_lift_multiplier)
       h_shopify = base * (1 - amazon_pref) + sum of lifts of web channels  (x (1 + experiment lift) if treated)
       h_amazon  = base * amazon_pref + lift_amazon_ads

   and the person buys with probability ``1 - exp(-h)``; on Amazon with probability ``h_amazon / h``;
4. after a purchase the person may drop out (BG/NBD geometric dropout, more likely after a late delivery),
   may join the e-mail list, and may share their referral link with friends (who click days later).

It is *not* a Markov chain over channels: channels only change the hazard through decaying, saturating exposure.

Replicates share the real world's random numbers (common random numbers) unless they have their own ``rep_key``;
a replicate can switch channels off (counterfactual removal of the channel's touchpoints) or switch experiments off.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .creators import CLICK_SHARE
from .email_program import FLOWS, EmailProgram
from .markets import MARKETS, REGIONS
from .purchases import AMAZON, SHOPIFY, OrderBatch, order_economics
from .rng import Stream
from .scenario import CHANNELS, PAID_MEDIA_CHANNELS
from .world import CH, WEB_CHANNELS, World

C = len(CHANNELS)
NEVER = -10**6
PAID_WEIGHT = {"paid_search": "search", "shopping": "search", "paid_social_meta": "meta",
               "paid_social_tiktok": "tiktok", "amazon_ads": "amazon"}
CREATOR_WEIGHT = ("tiktok", "meta", "search")  # creator platform tiktok / instagram / youtube
WEIGHT_TYPES = ("search", "meta", "tiktok", "amazon")
N_REFERRAL_SITES = 6
MAX_FRIENDS = 5
ROLLOUT_KEY = 1_000_003  # generator key marking draws of a rollout batch (distinct from the real world's 0)


@dataclass
class RepConfig:
    """Replicate worlds simulated together: random-number key, channels on, experiments on."""

    keys: np.ndarray            # (R,) 0 = the real world's random numbers
    channel_on: np.ndarray      # (R, C) bool
    experiment_on: np.ndarray   # (R, E) bool

    @property
    def n(self) -> int:
        return len(self.keys)

    @classmethod
    def real(cls, n_experiments: int) -> "RepConfig":
        return cls(np.zeros(1, dtype=np.int64), np.ones((1, C), dtype=bool), np.ones((1, n_experiments), dtype=bool))

    def key_groups(self) -> list[tuple[int, np.ndarray]]:
        groups = []
        for key in sorted(set(self.keys.tolist())):
            groups.append((key, np.flatnonzero(self.keys == key)))
        return groups


class BlockStatic:
    """Per-block static arrays and click-allocation tables."""

    def __init__(self, world: World, index: int, lo: int, hi: int) -> None:
        pop = world.pop
        self.index, self.lo, self.hi, self.n = index, lo, hi, hi - lo
        self.person = np.arange(lo, hi, dtype=np.int64)
        self.market = pop.market[lo:hi].astype(np.int64)
        self.region = pop.region[lo:hi].astype(np.int64)
        self.acq_base = pop.acq_base[lo:hi]
        self.repeat_rate = pop.repeat_rate[lo:hi]
        self.dropout_p = pop.dropout_p[lo:hi]
        self.amazon_pref = pop.amazon_pref[lo:hi]
        weights = {"search": pop.search_affinity, "meta": pop.meta_affinity, "tiktok": pop.tiktok_affinity,
                   "amazon": pop.amazon_affinity}
        M, R = len(MARKETS), len(REGIONS)
        self.members = [np.flatnonzero(self.market == m) for m in range(M)]
        # Click allocation tables: people sorted by market (and by region), cumulative targeting weight, and each
        # market's segment of the cumulative weight. A click in market m lands on a person drawn by weight.
        self.alloc = {}
        for group, labels, K in (("market", self.market, M), ("region", self.region, R)):
            order = np.argsort(labels, kind="stable")
            bounds = np.searchsorted(labels[order], np.arange(K + 1))
            for wt in WEIGHT_TYPES:
                cw = np.cumsum(weights[wt][lo:hi][order])
                cw0 = np.concatenate([[0.0], cw])
                seg_lo, seg_hi = cw0[bounds[:-1]], cw0[bounds[1:]]
                totals = np.bincount(pop.market if group == "market" else pop.region, weights=weights[wt], minlength=K)
                share = np.divide(seg_hi - seg_lo, totals, out=np.zeros(K), where=totals > 0)
                self.alloc[group, wt] = (order, cw, seg_lo, seg_hi, bounds, share)
        self.accepts_marketing = world.rng.keyed(Stream.SIGNUP, 0, self.person, salt=77) < \
            world.scenario["email"]["accepts_marketing_prob"]


@dataclass
class EngineState:
    adstock: np.ndarray         # (R, C, n) channel-major, so a channel's slice is contiguous
    last_touch: np.ndarray      # (R, T, n) day of last touch for tracked channels
    last_creator: np.ndarray    # (R, n) post index of the last creator touch
    last_referrer: np.ndarray   # (R, n) referrer person of the last referral-programme touch
    stage: np.ndarray           # (R, n) 0 prospect, 1 alive customer, 2 churned
    n_orders: np.ndarray
    last_order_day: np.ndarray
    subscribed: np.ndarray
    subscribe_day: np.ndarray
    email_blocked: np.ndarray   # unsubscribed / consent withdrawn / erased: never mailed again
    has_email: np.ndarray       # the brand knows the person's e-mail
    erased: np.ndarray
    abandon_day: np.ndarray
    assigned_day: np.ndarray    # (R, E, n)
    converted: np.ndarray       # (R, E, n) Shopify order while in the experiment
    pending: dict = field(default_factory=dict)   # referral clicks scheduled: rep, person, due, referrer, share

    def copy(self) -> "EngineState":
        return EngineState(**{k: (v.copy() if isinstance(v, np.ndarray) else {kk: vv.copy() for kk, vv in v.items()})
                              for k, v in self.__dict__.items()})

    def replicate(self, R: int) -> "EngineState":
        """The state of replicate 0 copied into R replicates (for rollouts from the real world's state)."""
        out = {}
        for k, v in self.__dict__.items():
            if isinstance(v, np.ndarray):
                out[k] = np.repeat(v[:1], R, axis=0)
            else:
                sel = v["rep"] == 0
                n_sel = int(sel.sum())
                out[k] = {kk: np.tile(vv[sel], R) for kk, vv in v.items()}
                out[k]["rep"] = np.repeat(np.arange(R), n_sel)
        return EngineState(**out)


def initial_state(world: World, bs: BlockStatic, R: int) -> EngineState:
    pop = world.pop
    n, E = bs.n, world.experiments.n
    sl = slice(bs.lo, bs.hi)
    init_c = pop.initial_customer[sl]
    init_sub = pop.initial_subscribed[sl]

    def rep(a):
        return np.repeat(a[None], R, axis=0)

    return EngineState(
        adstock=np.zeros((R, C, n), dtype=np.float32),
        last_touch=np.full((R, len(world.tracked), n), NEVER, dtype=np.int32),
        last_creator=np.full((R, n), -1, dtype=np.int32),
        last_referrer=np.full((R, n), -1, dtype=np.int64),
        stage=rep(np.where(init_c, 1, 0).astype(np.int8)),
        n_orders=rep(pop.initial_orders[sl].astype(np.int32)),
        last_order_day=rep(np.where(init_c, pop.initial_last_order_day[sl], NEVER).astype(np.int32)),
        subscribed=rep(init_sub.copy()),
        subscribe_day=rep(np.where(init_sub, -30, NEVER).astype(np.int32)),
        email_blocked=np.zeros((R, n), dtype=bool),
        has_email=rep(init_c.copy()),
        erased=np.zeros((R, n), dtype=bool),
        abandon_day=np.full((R, n), NEVER, dtype=np.int32),
        assigned_day=np.full((R, E, n), -1, dtype=np.int32),
        converted=np.zeros((R, E, n), dtype=bool),
        pending={"rep": np.zeros(0, np.int64), "person": np.zeros(0, np.int64), "due": np.zeros(0, np.int64),
                 "referrer": np.zeros(0, np.int64), "share": np.zeros(0, np.int64)},
    )


@dataclass
class Touches:
    rep: np.ndarray
    person: np.ndarray     # local index
    channel: np.ndarray
    sub: np.ndarray        # ad-independent detail: post index / message id / referrer person / -1-site / engine
    share: np.ndarray      # referral share id (real world only), else -1

    @staticmethod
    def empty() -> "Touches":
        z = np.zeros(0, dtype=np.int64)
        return Touches(z, z, z, z, z)

    @staticmethod
    def concat(parts: list["Touches"]) -> "Touches":
        parts = [p for p in parts if len(p.rep)]
        if not parts:
            return Touches.empty()
        return Touches(*[np.concatenate([getattr(p, f) for p in parts]) for f in ("rep", "person", "channel", "sub", "share")])

    def select(self, mask: np.ndarray) -> "Touches":
        return Touches(self.rep[mask], self.person[mask], self.channel[mask], self.sub[mask], self.share[mask])

    def __len__(self) -> int:
        return len(self.rep)


@dataclass
class DayLog:
    """What the real world did on one day in one block (recorded for replicate 0 only)."""

    day: int
    block_lo: int                # global index of the block's first person (touch/send persons are local)
    touches: Touches
    sends: dict
    orders: OrderBatch | None
    signups: np.ndarray          # persons (global) who joined the list from a session
    checkout_subscribes: np.ndarray
    shares: dict
    assignments: dict            # experiment -> {"touch": local persons, "purchase": local persons}
    consent_withdrawals: np.ndarray
    erasures: np.ndarray


class BlockEngine:
    """Simulates one block of people in R replicates, day by day."""

    def __init__(self, world: World, bs: BlockStatic, reps: RepConfig, state: EngineState | None = None,
                 as_of_day: int | None = None, future_start: int | None = None, record: bool = False,
                 share_counter: list[int] | None = None) -> None:
        self.w, self.bs, self.reps = world, bs, reps
        self.R = reps.n
        self.state = state if state is not None else initial_state(world, bs, self.R)
        self.as_of_day = world.as_of_day if as_of_day is None else as_of_day
        self.future_start = future_start
        self.record = record
        self.groups = reps.key_groups()
        self.crn = len(self.groups) == 1 and self.groups[0][0] == 0
        if not self.crn and len(set(reps.keys.tolist())) != self.R:
            raise ValueError("replicates either all share key 0 (common random numbers) or all have distinct keys")
        self.paid_weight_index = np.array([WEIGHT_TYPES.index(PAID_WEIGHT[c]) for c in PAID_MEDIA_CHANNELS])
        self.paid_channel_index = np.array([CH[c] for c in PAID_MEDIA_CHANNELS])
        self.paid_share = np.stack([bs.alloc["market", PAID_WEIGHT[c]][5] for c in PAID_MEDIA_CHANNELS])
        cr = world.creators
        self.post_weight_index = np.array([WEIGHT_TYPES.index(CREATOR_WEIGHT[cr.platform[k]]) for k in cr.post_creator],
                                          dtype=np.int64)
        self.post_region = np.array([REGIONS.index(MARKETS[cr.market[k]].region) for k in cr.post_creator],
                                    dtype=np.int64)
        self.post_region_share = np.array(
            [bs.alloc["region", WEIGHT_TYPES[wi]][5][r] for wi, r in zip(self.post_weight_index, self.post_region)])
        self.rep_key_of = reps.keys
        M = len(MARKETS)
        self.orders_by_market = np.zeros((self.R, M))
        self.revenue_by_market = np.zeros((self.R, M))
        self.expected_orders_by_market = np.zeros((self.R, M))
        self.orders_by_platform = np.zeros((self.R, 2))
        self.future = None
        if future_start is not None:
            self.future = {k: np.zeros((self.R, bs.n)) for k in ("orders_90", "revenue_90", "orders_180", "revenue_180")}
        self.share_counter = share_counter if share_counter is not None else [0]
        tr = world.tracked
        self.tracked_slot = {c: i for i, c in enumerate(tr)}
        self.variant_cache = [world.experiments.variant_of(world.rng, e, bs.person) for e in range(world.experiments.n)]
        self.variant_lift = [world.experiments.lifts[e][self.variant_cache[e]] for e in range(world.experiments.n)]
        sc = world.scenario
        self.saturation = world.saturation.astype(np.float32)[None, :, None]
        self.decay = world.decay.astype(np.float32)[None, :, None]
        self.web_lift = (world.lift * WEB_CHANNELS).astype(np.float32)
        cm = sc["repeat_buying"]["customer_lift_multiplier"]
        self.web_factor = np.array([1.0, cm, 0.0])
        self.amz_factor = np.array([1.0, cm, 0.0], dtype=np.float32) * np.float32(world.lift[CH["amazon_ads"]])
        self.amz_available = (bs.amazon_pref > 0).astype(np.float32)
        self.base_table = np.stack([bs.acq_base, bs.repeat_rate, np.zeros(bs.n)])
        self.col = np.arange(bs.n)
        # by stage: prospect, alive customer, lapsed (dropped-out) customer - lapsing shows in fewer visits
        self.visit_boost = np.array([1.0, sc["organic_traffic"]["customer_visit_multiplier"],
                                     sc["organic_traffic"]["lapsed_visit_multiplier"]])
        self.market_flat = (np.arange(self.R)[:, None] * len(MARKETS) + bs.market[None, :]).ravel()
        self.track_expected = True
        self.buf_S = np.empty((self.R, C, bs.n), dtype=np.float32)
        self.buf_bought = np.zeros((self.R, bs.n), dtype=bool)

    # ------------------------------------------------------------------------------------------------------------
    def _dense(self, stream: int, day: int) -> np.ndarray:
        """(R, n) uniforms: one draw shared by all replicates (common random numbers) or one row per rollout."""
        if self.crn:
            return np.broadcast_to(self.w.rng.dense(stream, day, self.bs.index, self.bs.n, 0), (self.R, self.bs.n))
        return self.w.rng.generator(stream, day, self.bs.index, ROLLOUT_KEY, self.R).random((self.R, self.bs.n))

    def _dense_exponential(self, stream: int, day: int) -> np.ndarray:
        """(R, n) standard exponential variates, shared or per rollout like ``_dense``."""
        if self.crn:
            e = self.w.rng.generator(stream, day, self.bs.index, 0).standard_exponential(self.bs.n)
            return np.broadcast_to(e, (self.R, self.bs.n))
        return self.w.rng.generator(stream, day, self.bs.index, ROLLOUT_KEY, self.R).standard_exponential((self.R, self.bs.n))

    def _sample(self, group: str, wt: str, segment: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Local person index for each click in ``segment`` (market or region), drawn by targeting weight."""
        order, cw, seg_lo, seg_hi, bounds, _ = self.bs.alloc[group, wt]
        target = seg_lo[segment] + u * (seg_hi[segment] - seg_lo[segment])
        idx = np.searchsorted(cw, target, side="right")
        idx = np.clip(idx, bounds[segment], bounds[segment + 1] - 1)
        return order[idx]

    def _exogenous(self, day: int) -> Touches:
        """Paid clicks (incl. hidden Amazon Ads clicks) and creator-post clicks for every replicate."""
        w, bs = self.w, self.bs
        R_draw = 1 if self.crn else self.R
        gen = w.rng.generator(Stream.PAID_CLICKS, day, bs.index, 0) if self.crn else \
            w.rng.generator(Stream.PAID_CLICKS, day, bs.index, ROLLOUT_KEY, self.R)
        lam = w.media.expected_clicks[:, :, day] * self.paid_share   # (P, M)
        counts = gen.poisson(np.broadcast_to(lam, (R_draw,) + lam.shape))
        r_i, p_i, m_i = np.nonzero(counts)
        c = counts[r_i, p_i, m_i]
        rep = np.repeat(r_i, c)
        pch = np.repeat(p_i, c)
        seg = np.repeat(m_i, c)
        u = gen.random(len(rep))
        person = np.zeros(len(rep), dtype=np.int64)
        for wi, wt in enumerate(WEIGHT_TYPES):
            sel = self.paid_weight_index[pch] == wi
            if sel.any():
                person[sel] = self._sample("market", wt, seg[sel], u[sel])
        channel = self.paid_channel_index[pch]
        sub = np.full(len(rep), -1, dtype=np.int64)
        parts = [(rep, person, channel, sub)]
        cr = w.creators
        if len(cr.post_day):
            lo = np.searchsorted(cr.post_day, day - 7, side="left")
            hi = np.searchsorted(cr.post_day, day, side="right")
            if hi > lo:
                q = np.arange(lo, hi)
                lam_q = cr.post_clicks[q] * CLICK_SHARE[day - cr.post_day[q]] * self.post_region_share[q]
                counts = gen.poisson(np.broadcast_to(lam_q, (R_draw, len(q))))
                r_i, q_i = np.nonzero(counts)
                c = counts[r_i, q_i]
                rep_c = np.repeat(r_i, c)
                post = q[np.repeat(q_i, c)]
                u = gen.random(len(rep_c))
                person_c = np.zeros(len(rep_c), dtype=np.int64)
                wts = self.post_weight_index[post]
                for wi, wt in enumerate(WEIGHT_TYPES):
                    sel = wts == wi
                    if sel.any():
                        person_c[sel] = self._sample("region", wt, self.post_region[post[sel]], u[sel])
                parts.append((rep_c, person_c, np.full(len(rep_c), CH["affiliate_kol"]), post.astype(np.int64)))
        rep, person, channel, sub = (np.concatenate(x) for x in zip(*parts))
        if self.crn and self.R > 1:
            k = len(rep)
            rep = np.repeat(np.arange(self.R), k)
            person, channel, sub = np.tile(person, self.R), np.tile(channel, self.R), np.tile(sub, self.R)
        return Touches(rep, person, channel, sub, np.full(len(rep), -1, dtype=np.int64))

    def _organic_and_privacy(self, day: int) -> tuple[list[Touches], np.ndarray, np.ndarray]:
        """Direct, organic-search and referral-site visits, plus consent withdrawals and erasure requests.

        One uniform per person and day: visits use disjoint intervals at the bottom of [0, 1), privacy events the
        top (all rates are small, so the events are practically independent)."""
        sc = self.w.scenario["organic_traffic"]
        pv = self.w.scenario["privacy"]
        st = self.state
        u = self._dense(Stream.ORGANIC, day)
        boost = self.visit_boost[st.stage]                    # (R, n): customers visit more often
        p_direct = sc["direct_rate"] * boost
        p_organic = sc["organic_search_rate"] * boost
        direct = u < p_direct
        organic = ~direct & (u < p_direct + p_organic)
        referral = (u >= p_direct + p_organic) & (u < p_direct + p_organic + sc["referral_site_rate"])
        out = []
        for mask, ch in ((direct, "direct"), (organic, "organic_search"), (referral, "referral")):
            rep, person = np.nonzero(mask & ~st.erased)
            if ch == "referral":
                site = (self.w.rng.keyed(Stream.REFERRAL_SITE, day, self.bs.person[person], self.rep_key_of[rep])
                        * N_REFERRAL_SITES).astype(np.int64)
                sub = -1 - site
            else:
                sub = np.zeros(len(rep), dtype=np.int64)
            out.append(Touches(rep, person, np.full(len(rep), CH[ch]), sub, np.full(len(rep), -1)))
        top = 1.0 - u
        withdraw = top < pv["email_consent_withdrawal_prob"]
        erase = ~withdraw & (top < pv["email_consent_withdrawal_prob"] + pv["erasure_request_prob"])
        return out, withdraw & st.subscribed, erase & st.has_email & ~st.erased

    def _email(self, day: int) -> tuple[Touches, dict]:
        w, bs, st = self.w, self.bs, self.state
        prog: EmailProgram = w.email
        s_rep, s_person = np.nonzero(st.subscribed)
        if not len(s_rep):
            return Touches.empty(), {}
        region = bs.region[s_person]
        sub_day = st.subscribe_day[s_rep, s_person]
        last_order = st.last_order_day[s_rep, s_person]
        # post-purchase flows go by the last order date only: the e-mail platform cannot know who has lapsed
        # (erased people are unsubscribed already)
        has_orders = st.n_orders[s_rep, s_person] > 0
        lapsed = st.stage[s_rep, s_person] == 2
        abandon = st.abandon_day[s_rep, s_person]
        sends_idx, sends_msg = [], []
        for k in prog.campaigns_by_day.get(day, []):
            idx = np.flatnonzero(region == prog.campaign_region[k])
            sends_idx.append(idx)
            sends_msg.append(np.full(len(idx), k))
        for fi, (key, _, trigger, offsets) in enumerate(FLOWS):
            for step, off in enumerate(offsets):
                if key == "welcome":
                    idx = np.flatnonzero(day - sub_day == off)
                elif key == "browse_abandonment":
                    idx = np.flatnonzero(abandon == day - off)
                else:
                    idx = np.flatnonzero((day - last_order == off) & has_orders)
                sends_idx.append(idx)
                sends_msg.append(np.full(len(idx), EmailProgram.flow_message(fi, step)))
        idx = np.concatenate(sends_idx)
        if not len(idx):
            return Touches.empty(), {}
        rep, person, msg = s_rep[idx], s_person[idx], np.concatenate(sends_msg)
        em = w.scenario["email"]
        ids = bs.person[person] * 65_537 + (msg % 65_521).astype(np.int64)
        key = self.rep_key_of[rep]
        u1 = w.rng.keyed(Stream.EMAIL, day, ids, key, salt=1)
        u2 = w.rng.keyed(Stream.EMAIL, day, ids, key, salt=2)
        bounced = u1 < em["bounce_rate"]
        # a lapsed customer has lost interest: opens (and so clicks and unsubscribes) less often
        open_p = np.where(lapsed[idx], em["open_rate"] * em["lapsed_open_multiplier"], em["open_rate"])
        opened = ~bounced & (u2 < open_p)
        # among openers: click, or unsubscribe, from disjoint parts of one more uniform
        u3 = w.rng.keyed(Stream.EMAIL, day, ids, key, salt=3)
        clicked = opened & (u3 < em["click_rate_given_open"])
        unsub = opened & (u3 > 1.0 - em["unsubscribe_rate"] / max(em["open_rate"], 1e-9))
        sends = {"rep": rep, "person": person, "message": msg, "bounced": bounced, "opened": opened,
                 "clicked": clicked, "unsubscribed": unsub}
        t = Touches(rep[clicked], person[clicked], np.full(int(clicked.sum()), CH["email"]), msg[clicked],
                    np.full(int(clicked.sum()), -1))
        return t, sends

    def _referral_clicks(self, day: int) -> Touches:
        pend = self.state.pending
        due = pend["due"] == day
        if not due.any():
            return Touches.empty()
        t = Touches(pend["rep"][due], pend["person"][due], np.full(int(due.sum()), CH["referral"]),
                    pend["referrer"][due], pend["share"][due])
        self.state.pending = {k: v[~due] for k, v in pend.items()}
        return t

    # ------------------------------------------------------------------------------------------------------------
    def step(self, day: int) -> DayLog | None:
        w, bs, st, reps = self.w, self.bs, self.state, self.reps
        R, n = self.R, bs.n
        st.adstock *= self.decay

        # --- touchpoints ----------------------------------------------------------------------------------------
        parts = [self._exogenous(day)]
        organic, withdraw_mask, erase_mask = self._organic_and_privacy(day)
        parts.extend(organic)
        email_touches, sends = self._email(day)
        parts.append(email_touches)
        parts.append(self._referral_clicks(day))
        touches = Touches.concat(parts)
        touches = touches.select(reps.channel_on[touches.rep, touches.channel])
        if len(touches):
            np.add.at(st.adstock, (touches.rep, touches.channel, touches.person), np.float32(1.0))
            for c, slot in self.tracked_slot.items():
                m = touches.channel == c
                if m.any():
                    st.last_touch[touches.rep[m], slot, touches.person[m]] = day
            m = touches.channel == CH["affiliate_kol"]
            st.last_creator[touches.rep[m], touches.person[m]] = touches.sub[m]
            m = (touches.channel == CH["referral"]) & (touches.sub >= 0)
            st.last_referrer[touches.rep[m], touches.person[m]] = touches.sub[m]

        # --- experiment assignment at sessions (Amazon Ads clicks happen on Amazon, not on our site) ------------
        on_site = touches.select(touches.channel != CH["amazon_ads"]) if len(touches) else touches
        assignments = {}
        ex = w.experiments
        active_exps = [e for e in range(ex.n) if ex.start_day[e] <= day <= ex.end_day[e]]
        for e in active_exps:
            if not len(on_site):
                break
            ok = ex.market_mask[e, bs.market[on_site.person]] & (st.assigned_day[on_site.rep, e, on_site.person] < 0)
            st.assigned_day[on_site.rep[ok], e, on_site.person[ok]] = day
            if self.record:
                m0 = ok & (on_site.rep == 0)
                assignments[e] = {"touch": np.unique(on_site.person[m0]), "purchase": np.zeros(0, np.int64)}

        # --- newsletter signups at sessions ---------------------------------------------------------------------
        signups = np.zeros(0, dtype=np.int64)
        if len(on_site):
            cand = (st.stage[on_site.rep, on_site.person] == 0) & ~st.subscribed[on_site.rep, on_site.person] \
                & ~st.email_blocked[on_site.rep, on_site.person]
            u = w.rng.keyed(Stream.SIGNUP, day, bs.person[on_site.person] * 16 + on_site.channel,
                            self.rep_key_of[on_site.rep])
            join = cand & (u < w.scenario["email"]["newsletter_signup_prob"])
            jr, jp = on_site.rep[join], on_site.person[join]
            st.subscribed[jr, jp] = True
            st.has_email[jr, jp] = True
            st.subscribe_day[jr, jp] = day
            if self.record:
                signups = np.unique(jp[jr == 0])

        # --- hazard ---------------------------------------------------------------------------------------------
        S = np.add(st.adstock, self.saturation, out=self.buf_S)
        np.divide(st.adstock, S, out=S)                               # A / (A + saturation), per channel
        for src, tgt, window, mult in w.interactions:
            recent = (day - st.last_touch[:, self.tracked_slot[src], :]) < window
            S[:, tgt, :] *= np.where(recent, np.float32(mult), np.float32(1.0))
        stage = st.stage
        web = np.einsum("c,rcn->rn", self.web_lift, S, dtype=np.float32).astype(np.float64)
        web *= self.web_factor[stage]
        amz = S[:, CH["amazon_ads"], :] * self.amz_factor[stage] * self.amz_available
        base = np.where(stage == 0, bs.acq_base, np.where(stage == 1, bs.repeat_rate, 0.0))
        base *= w.baseline_multiplier[day, bs.region]
        h_amz = base * bs.amazon_pref + amz
        h_shop = base * (1 - bs.amazon_pref) + web
        for e in active_exps:
            treated = (st.assigned_day[:, e, :] >= 0) & reps.experiment_on[:, e][:, None]
            h_shop *= 1 + np.where(treated, self.variant_lift[e], 0.0)
        h = h_shop + h_amz
        if day <= self.as_of_day and self.track_expected:   # compensator: summed daily purchase probabilities
            p = -np.expm1(-h)
            self.expected_orders_by_market += np.bincount(
                self.market_flat, weights=p.ravel(), minlength=self.R * len(MARKETS)).reshape(self.R, -1)

        # --- purchases ------------------------------------------------------------------------------------------
        # buys with probability 1 - exp(-h)  <=>  an Exp(1) variate is below h
        rep, person = np.nonzero(self._dense_exponential(Stream.PURCHASE, day) < h)
        orders = None
        shares = {}
        checkout_subs = np.zeros(0, dtype=np.int64)
        if len(rep):
            gid = bs.person[person]
            key = self.rep_key_of[rep]
            share_amz = np.divide(h_amz[rep, person], h[rep, person])
            platform = np.where(w.rng.keyed(Stream.PLATFORM_CHOICE, day, gid, key) < share_amz, AMAZON, SHOPIFY)
            slot_c = self.tracked_slot[CH["affiliate_kol"]]
            slot_r = self.tracked_slot[CH["referral"]]
            orders = order_economics(
                w, day, gid, rep, key, platform,
                first_order=st.n_orders[rep, person] == 0, subscribed=st.subscribed[rep, person],
                last_creator_day=st.last_touch[rep, slot_c, person], last_creator=st.last_creator[rep, person],
                last_referral_day=st.last_touch[rep, slot_r, person], last_referrer=st.last_referrer[rep, person])
            self._account(orders, rep, person, day)
            # state updates
            st.stage[rep, person] = np.maximum(st.stage[rep, person], 1)
            st.n_orders[rep, person] += 1
            st.last_order_day[rep, person] = day
            pd = bs.dropout_p[person]
            m = w.scenario["repeat_buying"]["late_delivery_dropout_multiplier"]
            pd = np.where(orders.is_late, pd * m / (1 - pd + pd * m), pd)
            drop = w.rng.keyed(Stream.DROPOUT, day, gid, key) < pd
            st.stage[rep[drop], person[drop]] = 2
            shop = platform == SHOPIFY
            st.has_email[rep[shop], person[shop]] = True
            newsub = shop & ~st.subscribed[rep, person] & ~st.email_blocked[rep, person] & \
                bs.accepts_marketing[person] & (st.n_orders[rep, person] == 1 + w.pop.initial_orders[gid])
            st.subscribed[rep[newsub], person[newsub]] = True
            st.subscribe_day[rep[newsub], person[newsub]] = day
            if self.record:
                checkout_subs = gid[newsub & (rep == 0)]
            # experiments: conversions and assignment at the purchase session
            for e in active_exps:
                ok = shop & ex.market_mask[e, bs.market[person]]
                newly = ok & (st.assigned_day[rep, e, person] < 0)
                st.assigned_day[rep[newly], e, person[newly]] = day
                st.converted[rep[ok], e, person[ok]] = True
                if self.record and newly.any():
                    entry = assignments.setdefault(e, {"touch": np.zeros(0, np.int64), "purchase": np.zeros(0, np.int64)})
                    entry["purchase"] = person[newly & (rep == 0)]
            shares = self._share_referrals(day, rep[shop], person[shop])
        # browse abandonment: a subscriber with a session and no order today
        if len(on_site):
            bought = self.buf_bought
            bought[rep, person] = True
            cand = st.subscribed[on_site.rep, on_site.person] & ~bought[on_site.rep, on_site.person]
            bought[rep, person] = False
            u = w.rng.keyed(Stream.EMAIL, day, bs.person[on_site.person], self.rep_key_of[on_site.rep], salt=9)
            ab = cand & (u < w.scenario["email"]["browse_abandonment_prob"])
            st.abandon_day[on_site.rep[ab], on_site.person[ab]] = day

        # --- unsubscribes, consent withdrawals, erasure ----------------------------------------------------------
        if sends:
            un = sends["unsubscribed"]
            st.subscribed[sends["rep"][un], sends["person"][un]] = False
            st.email_blocked[sends["rep"][un], sends["person"][un]] = True
        withdrawals = erasures = np.zeros(0, dtype=np.int64)
        wd = withdraw_mask & st.subscribed
        if wd.any():
            st.subscribed[wd] = False
            st.email_blocked[wd] = True
            if self.record:
                withdrawals = bs.person[np.flatnonzero(wd[0])]
        er = erase_mask
        if er.any():
            st.erased[er] = True
            st.subscribed[er] = False
            st.email_blocked[er] = True
            st.stage[er] = 2
            if self.record:
                erasures = bs.person[np.flatnonzero(er[0])]

        if not self.record:
            return None
        m0 = touches.rep == 0 if len(touches) else np.zeros(0, dtype=bool)
        sends0 = {k: v[sends["rep"] == 0] for k, v in sends.items()} if sends else {}
        orders0 = None
        if orders is not None:
            sel = orders.rep == 0
            orders0 = OrderBatch(**{f: (getattr(orders, f)[sel]) for f in orders.__dataclass_fields__})
        return DayLog(day=day, block_lo=bs.lo, touches=touches.select(m0) if len(touches) else touches, sends=sends0, orders=orders0,
                      signups=bs.person[signups] if len(signups) else signups, checkout_subscribes=checkout_subs,
                      shares=shares, assignments=assignments, consent_withdrawals=withdrawals, erasures=erasures)

    # ------------------------------------------------------------------------------------------------------------
    def _account(self, orders: OrderBatch, rep: np.ndarray, person: np.ndarray, day: int) -> None:
        M = len(MARKETS)
        idx = rep * M + orders.market
        if day > self.as_of_day:
            idx = idx[:0]
        self.orders_by_market += np.bincount(idx, minlength=self.R * M).reshape(self.R, M)
        visible = orders.net_usd_visible(self.as_of_day)[:len(idx)]
        self.revenue_by_market += np.bincount(idx, weights=visible, minlength=self.R * M).reshape(self.R, M)
        self.orders_by_platform += np.bincount((rep * 2 + orders.platform)[:len(idx)],
                                               minlength=self.R * 2).reshape(self.R, 2)
        if self.future is not None and day >= self.future_start:
            offset = day - self.future_start
            for horizon in (90, 180):
                if offset < horizon:
                    np.add.at(self.future[f"orders_{horizon}"], (rep, person), 1.0)
                    np.add.at(self.future[f"revenue_{horizon}"], (rep, person), orders.net_usd)

    def _share_referrals(self, day: int, rep: np.ndarray, person: np.ndarray) -> dict:
        """Shopify buyers share their referral link; friends in the same market click it 1-3 days later."""
        w, bs, st = self.w, self.bs, self.state
        if not len(rep):
            return {}
        rf = w.scenario["referral"]
        gid = bs.person[person]
        key = self.rep_key_of[rep]
        share = w.rng.keyed(Stream.REFERRAL_SHARE, day, gid, key, salt=1) < rf["share_prob"]
        rep, person, gid, key = rep[share], person[share], gid[share], key[share]
        if not len(rep):
            return {}
        lam = max(rf["friends_mean"] - 1.0, 0.0)
        cdf = np.cumsum([np.exp(-lam) * lam ** j / np.prod(range(1, j + 1)) for j in range(MAX_FRIENDS)])
        n_friends = 1 + np.searchsorted(cdf, w.rng.keyed(Stream.REFERRAL_SHARE, day, gid, key, salt=2) * 0.999999)
        n_friends = np.minimum(n_friends, MAX_FRIENDS)
        out_rep, out_person, out_friend, out_due, out_clicked, out_channel = [], [], [], [], [], []
        draws = w.rng.keyed_block(Stream.REFERRAL_SHARE, day, gid, key, width=4 * MAX_FRIENDS)
        for j in range(MAX_FRIENDS):
            has = n_friends > j
            if not has.any():
                break
            r, p, g, k, dj = rep[has], person[has], gid[has], key[has], draws[has]
            members = [bs.members[m] for m in bs.market[p]]
            u = dj[:, 4 * j]
            friend = np.array([mem[int(x * len(mem))] if len(mem) > 1 else -1 for mem, x in zip(members, u)],
                              dtype=np.int64)
            same = friend == p
            friend = np.where(same, np.array([mem[(int(x * len(mem)) + 1) % len(mem)] if len(mem) > 1 else -1
                                              for mem, x in zip(members, u)], dtype=np.int64), friend)
            valid = friend >= 0
            r, p, g, k, friend, dj = r[valid], p[valid], g[valid], k[valid], friend[valid], dj[valid]
            clicked = dj[:, 4 * j + 1] < rf["click_prob"]
            lag = 1 + (dj[:, 4 * j + 2] * 3).astype(np.int64)
            channel = (dj[:, 4 * j + 3] * 4).astype(np.int64)
            out_rep.append(r)
            out_person.append(p)
            out_friend.append(friend)
            out_due.append(day + lag)
            out_clicked.append(clicked)
            out_channel.append(channel)
        r = np.concatenate(out_rep)
        p = np.concatenate(out_person)
        f = np.concatenate(out_friend)
        due = np.concatenate(out_due)
        clicked = np.concatenate(out_clicked)
        channel = np.concatenate(out_channel)
        share_ids = np.full(len(r), -1, dtype=np.int64)
        real = r == 0
        if self.record:
            share_ids[real] = self.share_counter[0] + np.arange(int(real.sum()))
            self.share_counter[0] += int(real.sum())
        pend = self.state.pending
        c = clicked
        self.state.pending = {
            "rep": np.concatenate([pend["rep"], r[c]]), "person": np.concatenate([pend["person"], f[c]]),
            "due": np.concatenate([pend["due"], due[c]]), "referrer": np.concatenate([pend["referrer"], bs.person[p[c]]]),
            "share": np.concatenate([pend["share"], share_ids[c]]),
        }
        if not self.record:
            return {}
        return {"id": share_ids[real], "referrer": bs.person[p[real]], "referee": bs.person[f[real]],
                "clicked": clicked[real], "due": due[real], "channel": channel[real]}
