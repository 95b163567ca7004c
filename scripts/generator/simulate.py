"""Simulate visitors, sessions and page-by-page journeys as numpy arrays (no per-event Python loop).

Shape of the simulation:
- persons -> visitors (devices) -> sessions (start times drawn per visitor, gaps > 2 h);
- sessions are simulated in rounds by session number (all first sessions, then all second
  sessions, ...), so a visitor's cart and login state carry over to the next session;
- inside a round, a loop over page steps is vectorized across all sessions still active:
  each step loads one page (a `page_view` plus the other events that fire on that page),
  then draws the next page from a per-intent transition table with funnel rules on top.

The output is a pure function of the random generator's state: every draw happens in a fixed
order, so the same seed gives the same events byte for byte (tests_py/test_generate_events.py
pins the sha256 of a small generated set). When changing the simulation, keep the order of the
draws unless the output is meant to change.

Modules: world (Window, Events, World), draws (random draws and constant tables), sessions
(sessions of a batch of visitors), pages (the page loop of a round), simulate (persons, rounds,
the cut to exactly n events).
"""

from __future__ import annotations

import numpy as np

from generator import site
from generator.draws import cumulative, pick
from generator.pages import CARRY, simulate_round
from generator.sessions import MAX_SESSIONS, Sessions
from generator.world import DAY_MS, HOUR_MS, MINUTE_MS, Events, Window, World, concat_worlds, empty_events

__all__ = ["DAY_MS", "HOUR_MS", "MINUTE_MS", "Events", "Window", "World", "simulate"]

P_BACKEND = 0.01  # persons seen only through user_id (no anonymous_id)
P_LOGIN = 0.31  # persons who log in at some point
P_TWO_DEVICES = 0.10  # of the persons who log in
P_LOGIN_TRY_BEFORE_LAST_SESSION = 0.5  # visitors who will log in try in their last session, or now
EVENTS_PER_PERSON_GUESS = 9.8


def _simulate_batch(
    rng: np.random.Generator, win: Window, n_persons: int, person0: int, visitor0: int, session0: int
) -> World:
    """Simulate `n_persons` persons; indices are offset so batches can be concatenated."""
    backend = rng.random(n_persons) < P_BACKEND
    login = ~backend & (rng.random(n_persons) < P_LOGIN)
    two_devices = login & (rng.random(n_persons) < P_TWO_DEVICES)
    country = pick(rng, cumulative(site.COUNTRY_P), n_persons).astype(np.int8)
    v_person = np.repeat(np.arange(n_persons), 1 + two_devices.astype(np.int64))
    visitor_count = len(v_person)
    second_device = np.zeros(visitor_count, dtype=bool)
    second_device[1:] = v_person[1:] == v_person[:-1]
    device = pick(rng, cumulative(site.DEVICE_P), visitor_count).astype(np.int8)
    first_device = np.roll(device, 1)
    other_device = np.where(first_device == site.DESKTOP, site.MOBILE, site.DESKTOP)
    device = np.where(second_device, other_device, device).astype(np.int8)
    v_backend = backend[v_person]
    v_login = login[v_person]

    sessions = Sessions(rng, win, v_login, v_backend)
    n_urls = len(site.tables().urls)
    visitor_state = {name: np.zeros(visitor_count, dtype=np.int64) for name in CARRY}
    visitor_state["logged_in"][v_backend] = 1
    parts: list[Events] = []
    order = np.argsort(sessions.number, kind="stable")
    bounds = np.searchsorted(sessions.number[order], np.arange(MAX_SESSIONS + 1))
    for session_number in range(MAX_SESSIONS):
        sids = order[bounds[session_number] : bounds[session_number + 1]]
        if len(sids) == 0:
            break
        visitor = sessions.visitor[sids]
        logged_in = visitor_state["logged_in"][visitor] > 0
        tries_now = sessions.is_last[sids] | (rng.random(len(sids)) < P_LOGIN_TRY_BEFORE_LAST_SESSION)
        may_log_in = v_login[visitor] & ~logged_in & tries_now
        carry = {name: values[visitor] for name, values in visitor_state.items()}
        events, after = simulate_round(
            rng, win, sessions, sids, carry, may_log_in, device[visitor], n_urls, session0
        )
        parts.extend(events)
        for name, values in after.items():
            visitor_state[name][visitor] = values
    return World(
        events=Events.concat(parts) if parts else empty_events(),
        s_visitor=sessions.visitor + visitor0,
        s_channel=sessions.channel,
        s_utm=sessions.utm,
        s_utm_fill=sessions.utm_fill,
        s_ts_format=sessions.ts_format,
        v_person=v_person + person0,
        v_device=device,
        v_country=country[v_person],
        v_has_anon=~v_backend,
        n_persons=n_persons,
    )


def _simulate_enough(rng: np.random.Generator, win: Window, n_events: int) -> World:
    """Simulate batches of persons until there are at least `n_events` events."""
    worlds: list[World] = []
    total = 0
    persons = visitors = sessions = 0
    guess = int(n_events / EVENTS_PER_PERSON_GUESS * 1.03) + 50
    while total < n_events:
        world = _simulate_batch(rng, win, guess, persons, visitors, sessions)
        worlds.append(world)
        total += len(world.events)
        persons += world.n_persons
        visitors += len(world.v_person)
        sessions += len(world.s_visitor)
        per_person = max(total / persons, 0.5)
        guess = int((n_events - total) / per_person * 1.2) + 50
    return worlds[0] if len(worlds) == 1 else concat_worlds(worlds)


def _select_first_events(world: World, n_events: int) -> np.ndarray:
    """Indices of exactly `n_events` events: whole persons in generation order, then the earliest
    events of the one person cut in the middle."""
    events = world.events
    person = world.v_person[world.s_visitor[events.session]]
    cumulative = np.cumsum(np.bincount(person, minlength=world.n_persons))
    cut_person = int(np.searchsorted(cumulative, n_events))  # first person reaching n_events
    needed_from_cut = n_events - (int(cumulative[cut_person - 1]) if cut_person > 0 else 0)
    keep = person < cut_person
    at_cut = np.flatnonzero(person == cut_person)
    at_cut = at_cut[np.argsort(events.t_ms[at_cut], kind="stable")[:needed_from_cut]]
    keep[at_cut] = True
    return np.flatnonzero(keep)


def simulate(rng: np.random.Generator, win: Window, n_events: int) -> World:
    """Simulate at least `n_events` events, then select exactly `n_events` (World.selected).

    The cut keeps whole persons in generation order (persons are i.i.d., so this does not
    bias dates) and the earliest events of the one person cut in the middle.
    """
    world = _simulate_enough(rng, win, n_events)
    world.selected = _select_first_events(world, n_events)
    return world
