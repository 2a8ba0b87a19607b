"""`cmbuild serve`: build, serve output/ on 127.0.0.1, rebuild on every change, reload the browser.

watcher.py turns file-system events into debounced batches, server.py serves the output folder
(with a live-reload script injected into HTML, or the error page while the last build failed),
loop.py ties them together: one rebuild per batch until its `stop` event is set.
"""
