"""Community features behind the routes: Markdown comments, services shared by the JSON API
and the HTML pages (upvotes, comments, submissions, collections), and template helpers."""
