import IOMDomain

/// The demo data, built only from facts on the organisation's Morocco page
/// (`shared/seed/000_68810cf498a3428f.txt`): the organisation, the Morocco mission and the
/// 24 July 2017 Rabat thematic breakfast with its participants.
///
/// ```swift
/// let event = Seed.rabatBreakfast2017
/// event.date.description // "2017-07-24"
/// ```
public enum Seed {
    /// 2017-07-24T00:00:00Z, used as the creation time of every seed record.
    public static let recorded = Instant(millisecondsSince1970: 1_500_854_400_000)

    /// The organisation: OIM / IOM, since 1951, part of the United Nations system, 174 member states, present in 100+ countries.
    public static let organisation: Organisation = build {
        try Organisation(
            id: .init("iom"), version: 1, createdAt: recorded, updatedAt: recorded,
            name: .init(fr: "Organisation internationale pour les migrations", en: "International Organization for Migration"),
            shortName: .init(fr: "OIM", en: "IOM"),
            foundedYear: 1951, partOfUnitedNations: true, memberStateCount: 174, countriesOfPresenceAtLeast: 100,
            priorities: [.init(fr: "Données et ressources"), .init(fr: "Agir"), .init(fr: "2030 Agenda")])
    }

    /// The Morocco mission: present since 2007, chief of mission Ana Fonseca (2017), three thematic axes.
    /// The page names no office city, so `offices` is empty.
    public static let moroccoMission: Mission = build {
        try Mission(
            id: .init("mission-ma"), version: 1, createdAt: recorded, updatedAt: recorded,
            organisation: organisation.id, name: .init(fr: "Mission OIM Maroc"),
            country: .init("MA", path: "mission.country"), presentSince: 2007,
            chiefOfMission: .init("Ana Fonseca"),
            thematicAxes: [
                .init(fr: "Protection et résilience"),
                .init(fr: "Migration, gouvernance et développement"),
                .init(fr: "Appui à la jeunesse"),
            ],
            offices: [], status: .open)
    }

    /// The second thematic breakfast of 2017, Rabat, 24 July 2017, on the World Day against Trafficking in Persons.
    public static let rabatBreakfast2017: PublicEvent = build {
        let ma = try CountryCode("MA")
        return try PublicEvent(
            id: .init("event-ma-2017-07-24-breakfast"), version: 1, createdAt: recorded, updatedAt: recorded,
            kind: .thematicBreakfast,
            title: .init(fr: "Petit déjeuner thématique de l’OIM au Maroc à l’occasion de la 4ème journée mondiale de lutte contre la traite des êtres humains"),
            date: .init(year: 2017, month: 7, day: 24), city: .init("Rabat"), country: ma,
            theme: .init(fr: "« les mineurs, ces PETITES victimes de la traite »"),
            observance: .init(name: .init(fr: "Journée mondiale de lutte contre la traite des êtres humains",
                                          en: "World Day against Trafficking in Persons"), month: 7, day: 30),
            organisingMission: moroccoMission.id,
            participants: [
                .init(category: .government, name: .init("Ministère de la Justice (Mme Amina Oufroukhi, magistrat de grade exceptionnel, prix « Héroïne du rapport sur la traite des êtres humains 2017 » du Département d’État américain)"), country: ma),
                .init(category: .government, name: .init("Ministère de l’Intérieur"), country: ma),
                .init(category: .government, name: .init("Ministère des Affaires étrangères et de la Coopération internationale"), country: ma),
                .init(category: .government, name: .init("Ministère délégué chargé des Marocains résidant à l’étranger et des Affaires de la migration"), country: ma),
                .init(category: .government, name: .init("Entraide nationale (directeur)"), country: ma),
                .init(category: .euDelegation, name: .init("Délégation de l’Union européenne"), country: nil),
                .init(category: .destinationCountry, name: .init("Représentants des pays de destination"), country: nil),
                .init(category: .countryOfOrigin, name: .init("Représentants des pays d’origine"), country: nil),
                .init(category: .other, name: .init("Mexique (pays avancé dans la lutte contre la traite)"), country: .init("MX")),
                .init(category: .internationalOrganisation, name: .init("Représentants des organisations internationales"), country: nil),
            ],
            speakers: [
                .init(name: .init("Ana Fonseca"), role: .init(fr: "Cheffe de mission de l’OIM Maroc, allocution d’ouverture"), organisation: .init("OIM")),
            ],
            outcomes: [
                .init(fr: "Volonté commune de traiter avec fermeté ce fléau et de donner une réponse coordonnée pour une protection effective des victimes de la traite."),
                .init(fr: "La présence des mineurs migrants non accompagnés et séparés est profondément liée à la lutte contre la traite ; il faut programmer des actions durables pour la protection des enfants migrants au Maroc."),
                .init(fr: "Défis : capacité limitée des acteurs locaux à identifier et protéger les potentielles victimes de traite (mineurs non accompagnés inclus) ; besoin de structures adaptées d’hébergement d’urgence ; combattre les réseaux criminels et prévenir les migrations forcées par le renforcement de la coopération internationale."),
            ])
    }

    /// All seed records, in dependency order.
    public static var all: [AnyRecord] {
        [organisation.anyRecord, moroccoMission.anyRecord, rabatBreakfast2017.anyRecord]
    }
}

func build<T>(_ make: () throws -> T) -> T {
    do { return try make() } catch { fatalError("invalid fixture: \(error)") }
}
