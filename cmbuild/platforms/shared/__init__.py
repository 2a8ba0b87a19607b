"""What several platforms share: the publisher interface, HTTP, Meta's Graph, the media host.

A platform's folder imports from here; nothing here imports a platform.
"""
