//! `/api/v1` endpoints for employment plans and training itineraries.

use crate::routes::RouteBook;

/// The employment API's routes.
pub fn routes(book: RouteBook) -> RouteBook {
    book
}
