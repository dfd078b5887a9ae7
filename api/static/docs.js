// Starts Swagger UI on the API docs page (kept out of the page: no inline script, see the CSP).
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
