/*
 * sfo-autoptr.h: g_autoptr() cleanups for the C libraries we use
 *
 * One place for them, so no module defines its own (a second definition
 * does not compile).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)
