import IOMDomain

extension PublicEvent {
    var wire: Iom_V1_Event {
        var w = Iom_V1_Event()
        w.meta = wireMeta(self)
        w.kind = wireEnum(kind)
        w.title = title.wire
        w.date = date.wire
        w.city = city.value
        w.country = country.alpha2
        if let t = theme { w.theme = t.wire }
        if let o = observance {
            var wo = Iom_V1_Observance()
            wo.name = o.name.wire; wo.month = Int32(o.month); wo.day = Int32(o.day)
            w.observance = wo
        }
        w.organisingMissionID = organisingMission.rawValue
        w.participants = participants.map { p in
            var wp = Iom_V1_Participant()
            wp.category = wireEnum(p.category)
            wp.name = p.name.value
            if let c = p.country { wp.country = c.alpha2 }
            return wp
        }
        w.speakers = speakers.map { s in
            var ws = Iom_V1_Speaker()
            ws.name = s.name.value
            ws.role = s.role.wire
            if let o = s.organisation { ws.organisation = o.value }
            return ws
        }
        w.outcomes = outcomes.map(\.wire)
        return w
    }

    init(wire w: Iom_V1_Event) throws(ValidationError) {
        let p = "event"
        var v = Validator()
        let meta: (Identifier<PublicEvent>, UInt64, Instant, Instant)? = v.meta(w.meta, has: w.hasMeta, p)
        let kind: EventKind? = v.enumValue(w.kind, "\(p).kind")
        let title = v.text(w.title, "\(p).title")
        let date = v.date(w.date, "\(p).date")
        let city = v.name(w.city, "\(p).city")
        let country = v.country(w.country, "\(p).country")
        let theme: LocalizedText?? = w.hasTheme ? v.text(w.theme, "\(p).theme").map { .some($0) } : .some(nil)
        var observance: Observance?? = .some(nil)
        if w.hasObservance {
            let o = w.observance
            observance = v.text(o.name, "\(p).observance.name").flatMap { n in
                v.check { try Observance(name: n, month: Int(o.month), day: Int(o.day), path: "\(p).observance") }
            }.map { .some($0) }
        }
        let mission: Identifier<Mission>? = v.id(w.organisingMissionID, "\(p).organisingMission")
        let participants = v.all(w.participants) { v, wp, i -> Participant? in
            let cat: ParticipantCategory? = v.enumValue(wp.category, "\(p).participants[\(i)].category")
            let name = v.name(wp.name, "\(p).participants[\(i)].name")
            let country = v.optCountry(wp.country, has: wp.hasCountry, "\(p).participants[\(i)].country")
            guard let cat, let name, let country else { return nil }
            return Participant(category: cat, name: name, country: country)
        }
        let speakers = v.all(w.speakers) { v, ws, i -> Speaker? in
            let name = v.name(ws.name, "\(p).speakers[\(i)].name")
            let role = v.text(ws.role, "\(p).speakers[\(i)].role")
            let org = v.optName(ws.organisation, has: ws.hasOrganisation, "\(p).speakers[\(i)].organisation")
            guard let name, let role, let org else { return nil }
            return Speaker(name: name, role: role, organisation: org)
        }
        let outcomes = v.texts(w.outcomes, "\(p).outcomes")
        try v.finish()
        guard let meta, let kind, let title, let date, let city, let country, let theme, let observance, let mission,
              let participants, let speakers, let outcomes else { throw undecodable(p) }
        try self.init(id: meta.0, version: meta.1, createdAt: meta.2, updatedAt: meta.3, kind: kind, title: title, date: date,
                      city: city, country: country, theme: theme, observance: observance, organisingMission: mission,
                      participants: participants, speakers: speakers, outcomes: outcomes)
    }
}
