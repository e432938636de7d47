"""Moving in from WordPress: ``manage.py import_wordpress EXPORT.xml`` (see the README).

``parse`` reads the export as a stream, ``blocks`` turns post content into a body,
``people`` makes authors, sections and tags, ``media`` the library images, ``stories`` the
stories, ``addresses`` records the old addresses (answered by ``articles.old_addresses``),
and ``importer`` runs it all and sums it up.
"""
