import IOMDomain

extension Organisation {
    var wire: Iom_V1_Organisation {
        var w = Iom_V1_Organisation()
        w.meta = wireMeta(self)
        w.name = name.wire
        w.shortName = shortName.wire
        w.foundedYear = Int32(foundedYear)
        w.partOfUnitedNations = partOfUnitedNations
        w.memberStateCount = Int32(memberStateCount)
        w.countriesOfPresenceAtLeast = Int32(countriesOfPresenceAtLeast)
        w.priorities = priorities.map(\.wire)
        return w
    }

    init(wire w: Iom_V1_Organisation) throws(ValidationError) {
        let p = "organisation"
        var v = Validator()
        let meta: (Identifier<Organisation>, UInt64, Instant, Instant)? = v.meta(w.meta, has: w.hasMeta, p)
        let name = v.text(w.name, "\(p).name")
        let short = v.text(w.shortName, "\(p).shortName")
        let priorities = v.texts(w.priorities, "\(p).priorities")
        try v.finish()
        guard let meta, let name, let short, let priorities else { throw undecodable(p) }
        try self.init(id: meta.0, version: meta.1, createdAt: meta.2, updatedAt: meta.3, name: name, shortName: short,
                      foundedYear: Int(w.foundedYear), partOfUnitedNations: w.partOfUnitedNations,
                      memberStateCount: Int(w.memberStateCount), countriesOfPresenceAtLeast: Int(w.countriesOfPresenceAtLeast),
                      priorities: priorities)
    }
}
