import IOMDomain

extension Mission {
    var wire: Iom_V1_Mission {
        var w = Iom_V1_Mission()
        w.meta = wireMeta(self)
        w.organisationID = organisation.rawValue
        w.name = name.wire
        w.country = country.alpha2
        if let y = presentSince { w.presentSince = Int32(y) }
        if let c = chiefOfMission { w.chiefOfMission = c.value }
        w.thematicAxes = thematicAxes.map(\.wire)
        w.offices = offices.map(\.value)
        w.status = wireEnum(status)
        return w
    }

    init(wire w: Iom_V1_Mission) throws(ValidationError) {
        let p = "mission"
        var v = Validator()
        let meta: (Identifier<Mission>, UInt64, Instant, Instant)? = v.meta(w.meta, has: w.hasMeta, p)
        let org: Identifier<Organisation>? = v.id(w.organisationID, "\(p).organisation")
        let name = v.text(w.name, "\(p).name")
        let country = v.country(w.country, "\(p).country")
        let chief = v.optName(w.chiefOfMission, has: w.hasChiefOfMission, "\(p).chiefOfMission")
        let axes = v.texts(w.thematicAxes, "\(p).thematicAxes")
        let offices = v.all(w.offices) { v, o, i in v.name(o, "\(p).offices[\(i)]") }
        let status: MissionStatus? = v.enumValue(w.status, "\(p).status")
        try v.finish()
        guard let meta, let org, let name, let country, let chief, let axes, let offices, let status else { throw undecodable(p) }
        try self.init(id: meta.0, version: meta.1, createdAt: meta.2, updatedAt: meta.3, organisation: org, name: name,
                      country: country, presentSince: w.hasPresentSince ? Int(w.presentSince) : nil, chiefOfMission: chief,
                      thematicAxes: axes, offices: offices, status: status)
    }
}
