//! The pages the server writes (board, catalogue, sending, mixer) are known to the app's router
//! by a few generic routes (`/campagnes/:id/:page`, …), which weigh less in the WASM than one
//! route per page. The server names each page's own route here, for the middlewares that read
//! what a page shows before it renders.

use axum::{extract::Request, middleware::Next, response::Response};

/// Every page the server writes, as its route.
pub const ROUTES: [&str; 10] = [
    "/campagnes/{id}/tableau",
    "/campagnes/{id}/catalogue",
    "/campagnes/{id}/catalogue/{catalog}",
    "/campagnes/{id}/envois",
    "/campagnes/{id}/mixer",
    "/campagnes/{id}/stand",
    "/campagnes/{id}/produits/{prospect}",
    "/compte/envoi",
    "/compte/modeles",
    "/compte/modeles/{id}",
];

/// The route of the written page at `path`, if it is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerRoute(pub &'static str);

impl ServerRoute {
    pub fn of(path: &str) -> Option<ServerRoute> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        ROUTES
            .iter()
            .find(|route| {
                let parts: Vec<&str> = route.trim_matches('/').split('/').collect();
                parts.len() == segments.len()
                    && parts
                        .iter()
                        .zip(&segments)
                        .all(|(part, segment)| part.starts_with('{') || part == segment)
            })
            .map(|route| ServerRoute(route))
    }
}

/// Names the written page a request is for (see [`ServerRoute`]).
pub async fn name_route(mut req: Request, next: Next) -> Response {
    if let Some(route) = ServerRoute::of(req.uri().path()) {
        req.extensions_mut().insert(route);
    }
    next.run(req).await
}

/// The written page's route of a request (set by [`name_route`]).
pub fn route(req: &Request) -> Option<&'static str> {
    req.extensions().get::<ServerRoute>().map(|r| r.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_named_by_its_page() {
        let of = |path| ServerRoute::of(path).map(|r| r.0);
        assert_eq!(
            of("/campagnes/abc/tableau"),
            Some("/campagnes/{id}/tableau")
        );
        assert_eq!(
            of("/campagnes/abc/catalogue/def"),
            Some("/campagnes/{id}/catalogue/{catalog}")
        );
        assert_eq!(
            of("/campagnes/a/produits/b"),
            Some("/campagnes/{id}/produits/{prospect}")
        );
        assert_eq!(of("/compte/modeles"), Some("/compte/modeles"));
        assert_eq!(of("/compte/modeles/nouveau"), Some("/compte/modeles/{id}"));
        assert_eq!(of("/campagnes/abc/nulle-part"), None);
        assert_eq!(of("/campagnes/abc/prospects"), None);
        assert_eq!(of("/campagnes/abc/tableau/def"), None);
    }
}
