/**
 * JSON:API documents for the admin API: resources, relationships, links, and
 * the query parameters that shape a GET answer (sparse fieldsets, filter,
 * pagination, the seed's fields= and range=), plus ETags.
 *
 * Threads: pure functions on Jansson values; any thread.
 */
#pragma once

#include <string>
#include <vector>

#include "http.hh"

namespace sqlgate::admin
{

/// A resource object: id, type, attributes, relationships (when given), links.self.
/// Takes ownership of @c attributes and @c relationships.
json_t* make_resource(const HttpRequest& r, const std::string& type, const std::string& id,
                      json_t* attributes, json_t* relationships = nullptr);

/// One relationship of a resource: {"data":[{id,type}...], "links":{self, related}}.
json_t* make_relationship(const HttpRequest& r, const std::string& owner_type,
                          const std::string& owner_id, const std::string& type,
                          const std::vector<std::string>& ids);

/// A top-level document {"data": data, "links": {"self": ...}}; takes @c data.
json_t* make_document(const HttpRequest& r, json_t* data);

/**
 * Apply the query parameters of a GET to @c doc in place: filter=/ptr=value
 * (collections), range=N-M, page[size]/page[number] (with links and
 * meta.total), fields[TYPE]=a,b/c and the seed's fields=a,b (for the primary
 * type). Returns false with @c error when a parameter is malformed.
 */
bool shape_document(const HttpRequest& r, json_t* doc, std::string& error);

/// Shape a GET document (fields, filter, paging), answer If-None-Match (304)
/// and serialize the body into @c r.text (JSON freed). Called by the thread that
/// made the answer; a rendered response is left alone.
void render_response(const HttpRequest* req, HttpResponse& r);

/// The document as sent by default (4-space indent, final newline).
std::string pretty_text(const json_t* doc);
/// A strong ETag: the quoted SHA-1 of the pretty text, whatever form is sent.
std::string etag_of(const json_t* doc);
std::string etag_of_text(const std::string& pretty);

}  // namespace sqlgate::admin
