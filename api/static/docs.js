// Starts Swagger UI on the API docs page (kept out of the page: no inline script, see the CSP). Swagger
// UI itself is vendored under /static/swagger-ui, so the page works offline. The tags start folded: with
// every operation open at once (over 130 of them) Swagger UI stopped after the first few.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", displayOperationId: true, docExpansion: "none" });
