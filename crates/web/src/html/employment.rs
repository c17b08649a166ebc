//! Pages for neighbourhood employment plans and training itineraries.

use crate::routes::RouteBook;

/// The employment pages' routes.
pub fn routes(book: RouteBook) -> RouteBook {
    book
}
