# Thin entry points; the work is in scripts/.
.PHONY: demo test lint bench load bootstrap stop-db clean

demo:
	scripts/demo

test:
	scripts/test

lint:
	scripts/lint

bench:
	scripts/bench

load:
	scripts/load

bootstrap:
	scripts/bootstrap

stop-db:
	bash -c 'source scripts/lib.sh && pg_stop'

clean:
	rm -rf out .odoo.conf
