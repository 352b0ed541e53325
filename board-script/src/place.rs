//! Where a card of the board can be. One file for the server (`app::board::model` includes it)
//! and for the board's script in the browser, which does not link the app: both read and write
//! the same keys.

/// A place on the board: a stage, and for the fridge why the card is there. Its key is what
/// forms, the JSON routes and the audit log say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// Salle d'attente: not classified yet.
    WaitingRoom,
    /// Four: replied yes.
    Oven,
    /// Frigo: replied no.
    FridgeNo,
    /// Frigo: no answer.
    FridgeGhost,
    /// Corbeille.
    Trash,
}

impl Place {
    pub const ALL: [Place; 5] = [
        Place::WaitingRoom,
        Place::Oven,
        Place::FridgeNo,
        Place::FridgeGhost,
        Place::Trash,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Place::WaitingRoom => "waiting_room",
            Place::Oven => "oven",
            Place::FridgeNo => "fridge_no",
            Place::FridgeGhost => "fridge_ghost",
            Place::Trash => "trash",
        }
    }

    pub fn parse(key: &str) -> Option<Place> {
        Place::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The stage as stored, and the reply's outcome.
    pub fn stage(self) -> &'static str {
        match self {
            Place::WaitingRoom => "waiting_room",
            Place::Oven => "oven",
            Place::FridgeNo | Place::FridgeGhost => "fridge",
            Place::Trash => "trash",
        }
    }

    pub fn outcome(self) -> Option<&'static str> {
        match self {
            Place::Oven => Some("oui"),
            Place::FridgeNo => Some("non"),
            Place::FridgeGhost => Some("ghost"),
            Place::WaitingRoom | Place::Trash => None,
        }
    }

    /// The place of a stored stage and outcome.
    pub fn of(stage: &str, outcome: Option<&str>) -> Option<Place> {
        match (stage, outcome) {
            ("waiting_room", _) => Some(Place::WaitingRoom),
            ("oven", _) => Some(Place::Oven),
            ("fridge", Some("ghost")) => Some(Place::FridgeGhost),
            ("fridge", _) => Some(Place::FridgeNo),
            ("trash", _) => Some(Place::Trash),
            _ => None,
        }
    }

    /// What the rep reads: `Four (oui)`.
    pub fn label(self) -> &'static str {
        match self {
            Place::WaitingRoom => "Salle d’attente",
            Place::Oven => "Four (oui)",
            Place::FridgeNo => "Frigo (non)",
            Place::FridgeGhost => "Frigo (ghost)",
            Place::Trash => "Corbeille",
        }
    }
}

/// The four columns of the board, in order: a stage key and its French name.
pub const STAGES: [(&str, &str); 4] = [
    ("waiting_room", "Salle d’attente"),
    ("oven", "Four"),
    ("fridge", "Frigo"),
    ("trash", "Corbeille"),
];
